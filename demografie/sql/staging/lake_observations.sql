-- The committed lake files (listed by the manifest, never by a directory glob, so an uncommitted
-- file left by a crash is never read). The partition columns come back from the hive paths.
CREATE TEMP VIEW lake_observations AS
SELECT *
FROM read_parquet(
    getvariable('lake_files'),
    hive_partitioning = true,
    hive_types = {'source': VARCHAR, 'source_table': VARCHAR}
);

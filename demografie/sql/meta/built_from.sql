-- The deliveries the warehouse was built from, compared with the lake's manifest before a run
-- decides that nothing needs building.
SELECT source, source_table, content_sha256 FROM meta.loads;

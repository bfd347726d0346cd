-- Per table, the fingerprint of what its versions were built from (its deliveries and the build's
-- recipe, warehouse/reuse.py) and a digest of the versions written. The next build copies a
-- table's versions from this file when its fingerprint is unchanged and the digest still holds.
CREATE TABLE meta.observation_inputs AS
WITH written AS (
    SELECT source, source_table, count(*) AS versions, bit_xor(hash(o)) AS digest
    FROM core.observations AS o
    GROUP BY ALL
)
SELECT f.source, f.source_table, f.fingerprint, coalesce(w.versions, 0) AS versions, w.digest
FROM observation_fingerprints AS f
LEFT JOIN written AS w USING (source, source_table)
ORDER BY f.source, f.source_table;

COMMENT ON TABLE meta.observation_inputs IS
    'Per source table: a fingerprint of its deliveries and of the build''s recipe, the number of its versions in core.observations and their digest. A build copies the versions of a table whose fingerprint is unchanged from the live warehouse instead of computing them again.';

-- On the copy of the live warehouse (warehouse/reuse.py): what its versions were built from, per
-- table, and whether its rows of the table are still the ones its build wrote (same count and
-- digest). A file someone wrote to keeps nothing.
WITH written AS (
    SELECT source, source_table, count(*) AS versions, bit_xor(hash(o)) AS digest
    FROM core.observations AS o
    GROUP BY ALL
)
SELECT
    i.source,
    i.source_table,
    i.fingerprint,
    coalesce(w.versions, 0) = i.versions AND w.digest IS NOT DISTINCT FROM i.digest AS intact
FROM meta.observation_inputs AS i
LEFT JOIN written AS w USING (source, source_table);

-- The versions of the tables whose deliveries and recipe are as when the live warehouse was
-- built, copied from it (warehouse/reuse.py): the same rows a full build computes.
INSERT INTO core.observations BY NAME
SELECT *
FROM live.core.observations
WHERE (source, source_table) IN (SELECT (source, source_table) FROM reused_tables);

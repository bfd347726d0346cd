-- The copy of the live warehouse keeps the versions of the tables registered as kept_tables
-- (unchanged deliveries and recipe, warehouse/reuse.py); the others' are computed again.
DELETE FROM core.observations
WHERE (source, source_table) NOT IN (SELECT (source, source_table) FROM kept_tables);

ALTER TABLE core.observations RENAME TO kept_observations;

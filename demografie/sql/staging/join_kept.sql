-- After core/observations.sql: the versions it computed for the changed tables join the kept
-- versions of the others, whose rows stay where they are; the kept table takes the name.
INSERT INTO core.kept_observations BY NAME SELECT * FROM core.observations;

DROP TABLE core.observations;

ALTER TABLE core.kept_observations RENAME TO observations;

-- What was published at a point in time: every observation in the version that was in force then
-- (its vintage at or before `as_of`, and not yet replaced by a newer vintage).
--   SELECT * FROM core.observations_as_of(TIMESTAMP '2025-01-01') WHERE region_code = '06412';
CREATE MACRO core.observations_as_of(as_of) AS TABLE
SELECT * EXCLUDE (valid_to)
FROM core.observations
WHERE valid_from <= as_of AND (valid_to IS NULL OR valid_to > as_of);

COMMENT ON MACRO TABLE core.observations_as_of IS
    'core.observations_as_of(TIMESTAMP ''2025-01-01''): every observation as it was published at that time (the version whose vintage was the newest then).';

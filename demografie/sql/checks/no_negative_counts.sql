-- severity: error
-- Counts of persons are never negative.
SELECT source_table, region_code, ref_date, sex, nationality, value
FROM core.current_observations
WHERE unit = 'count' AND value < 0

-- severity: error
-- Each observation identity has exactly one current version.
SELECT source, source_table, source_measure, region_code, ref_date, source_dims, count(*) AS versions
FROM core.current_observations
GROUP BY ALL
HAVING count(*) > 1

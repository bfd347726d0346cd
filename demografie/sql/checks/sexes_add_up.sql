-- severity: warning
-- male + female = total wherever all three are counts (rates and averages do not add up), within
-- the table's tolerance: census tables are published with secrecy rounding, so their sexes may
-- miss the total by a few persons (meta.datasets.sexes_tolerance, from the catalog).
WITH pivoted AS (
    SELECT
        dataset, source_table, source_measure, region_code, ref_date, nationality, age_from, age_to,
        max(value) FILTER (WHERE sex = 'total') AS total,
        max(value) FILTER (WHERE sex = 'male') AS male,
        max(value) FILTER (WHERE sex = 'female') AS female
    FROM core.current_observations
    WHERE unit = 'count'
    GROUP BY ALL
)
SELECT p.* EXCLUDE (dataset), coalesce(d.sexes_tolerance, 0) AS tolerance
FROM pivoted AS p
LEFT JOIN meta.datasets AS d ON d.name = p.dataset
WHERE total IS NOT NULL AND male IS NOT NULL AND female IS NOT NULL
  AND abs(male + female - total) > coalesce(d.sexes_tolerance, 0) + 0.5

-- severity: warning
-- male + female = total wherever all three are counts (rates and averages do not add up).
WITH pivoted AS (
    SELECT
        source_table, source_measure, region_code, ref_date, nationality, age_from, age_to,
        max(value) FILTER (WHERE sex = 'total') AS total,
        max(value) FILTER (WHERE sex = 'male') AS male,
        max(value) FILTER (WHERE sex = 'female') AS female
    FROM core.current_observations
    WHERE unit = 'count'
    GROUP BY ALL
)
SELECT * FROM pivoted
WHERE total IS NOT NULL AND male IS NOT NULL AND female IS NOT NULL
  AND abs(male + female - total) > 0.5

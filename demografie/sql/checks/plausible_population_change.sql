-- severity: warning
-- A Kreis or Land rarely gains or loses more than 10 % of its people in a year; a jump that large
-- is more often a misread figure (or a territorial reform, which the warning then documents).
-- Two figures on different census bases are not compared: a jump at a re-basing is expected.
WITH totals AS (
    SELECT source_table, region_code, ref_date, value, census_basis
    FROM core.valid_observations
    WHERE measure = 'population' AND sex = 'total' AND nationality = 'total' AND age_from IS NULL
      AND age_to IS NULL AND region_level IN ('land', 'kreis') AND value > 0
)
SELECT t.source_table, t.region_code, t.ref_date, p.value AS year_before, t.value,
       round(100 * (t.value / p.value - 1), 2) AS change_percent, t.census_basis
FROM totals AS t
JOIN totals AS p
  ON p.source_table = t.source_table AND p.region_code = t.region_code
 AND p.ref_date = CAST(t.ref_date - INTERVAL 1 YEAR AS DATE)
 AND p.census_basis IS NOT DISTINCT FROM t.census_basis
WHERE abs(t.value / p.value - 1) > 0.10

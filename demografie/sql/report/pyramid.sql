-- Age by sex for the Länder $states on the newest date all have it, each from one table (two age
-- classifications are never mixed in one pyramid).
WITH bands AS (
    SELECT state, ref_date, sex, age_from, age_to, population, source_table, synthetic
    FROM marts.population
    WHERE region_level = 'land' AND list_contains($states, state) AND sex IN ('male', 'female') AND nationality = 'total'
      AND age_from IS NOT NULL AND population IS NOT NULL
),
best AS (
    SELECT state, ref_date, arg_max(source_table, bands) AS source_table
    FROM (SELECT state, ref_date, source_table, count(*) AS bands FROM bands GROUP BY ALL)
    GROUP BY ALL
),
latest AS (
    SELECT max(ref_date) AS ref_date
    FROM (
        SELECT ref_date FROM best
        GROUP BY ref_date
        HAVING count(DISTINCT state) = len($states)
    )
)
SELECT b.state, b.ref_date, b.sex, b.age_from, b.age_to, b.population, b.source_table, b.synthetic
FROM bands AS b
JOIN best USING (state, ref_date, source_table)
JOIN latest USING (ref_date)
ORDER BY b.state, b.sex, b.age_from

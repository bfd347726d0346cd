-- Age by sex of the Länder $states, summed per group $groups (the group of each Land, in the same
-- order: each Land on its own, or one against the rest), on the newest date every group has it.
-- A group's pyramid comes from one table that holds all its Länder (two age classifications are
-- never mixed in one pyramid).
WITH bands AS (
    SELECT
        state, marts.state_group($states, $groups, state) AS state_group, ref_date, sex, age_from, age_to, population,
        source_table, synthetic
    FROM marts.population
    WHERE region_level = 'land' AND list_contains($states, state) AND sex IN ('male', 'female')
      AND nationality = 'total' AND age_from IS NOT NULL AND population IS NOT NULL
),
best AS (
    SELECT state_group, ref_date, arg_max(source_table, bands) AS source_table
    FROM (
        SELECT state_group, ref_date, source_table, count(DISTINCT state) AS members, count(*) AS bands
        FROM bands
        GROUP BY ALL
    )
    WHERE members = marts.group_size($groups, state_group)
    GROUP BY ALL
),
latest AS (
    SELECT max(ref_date) AS ref_date
    FROM (
        SELECT ref_date FROM best
        GROUP BY ref_date
        HAVING count(DISTINCT state_group) = len(list_distinct($groups))
    )
)
SELECT
    b.state_group AS state, b.ref_date, b.sex, b.age_from, b.age_to, sum(b.population) AS population, b.source_table,
    bool_or(b.synthetic) AS synthetic
FROM bands AS b
JOIN best USING (state_group, ref_date, source_table)
JOIN latest USING (ref_date)
GROUP BY ALL
ORDER BY state, b.sex, b.age_from

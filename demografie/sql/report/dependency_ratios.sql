-- Youth and old-age dependency ratios of the Länder $states over time, per group $groups (a group
-- of several Länder from the sums of their persons, only where all of them have the date), with
-- the census basis of each point (the chart draws each basis as a series of its own).
WITH lands AS (
    SELECT state, ref_date, under_20, age_20_64, age_65_plus, census_basis, synthetic
    FROM marts.age_structure
    WHERE region_level = 'land' AND list_contains($states, state) AND old_age_dependency_ratio IS NOT NULL
      AND month(ref_date) = 12 AND day(ref_date) = 31
    QUALIFY row_number() OVER (PARTITION BY state, ref_date ORDER BY vintage DESC, source_table) = 1
),
grouped AS (
    SELECT
        marts.state_group($states, $groups, state) AS state, ref_date, count(*) AS members,
        round(100 * sum(under_20) / sum(age_20_64), 3) AS youth_dependency_ratio,
        round(100 * sum(age_65_plus) / sum(age_20_64), 3) AS old_age_dependency_ratio,
        core.basis_list(census_basis) AS census_basis, bool_or(synthetic) AS synthetic
    FROM lands
    GROUP BY ALL
)
SELECT state, ref_date, youth_dependency_ratio, old_age_dependency_ratio, census_basis, synthetic
FROM grouped
WHERE members = marts.group_size($groups, state)
ORDER BY state, ref_date

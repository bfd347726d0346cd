-- The newest edition of the coordinated projection for the Länder $states, by variant, beside the
-- observed population on 31 December, per group $groups (a group of several Länder summed, only
-- where all of them have the date): nothing when no projection is loaded.
WITH newest AS (
    SELECT max(edition) AS edition FROM marts.population_projection WHERE source_table = '12421-0003'
),
projected AS (
    SELECT
        state, 'projected' AS kind, variant, ref_date, projected_population AS persons, edition, base_date,
        source_table AS sources, vintage, synthetic
    FROM marts.population_projection
    WHERE source_table = '12421-0003' AND edition = (SELECT edition FROM newest) AND list_contains($states, state)
      AND sex = 'total' AND age_from IS NULL AND projected_population IS NOT NULL
),
observed AS (
    -- the Land figure as published, else the sum of its Kreise (marts.land_totals)
    SELECT
        state, 'observed' AS kind, NULL AS variant, ref_date, value AS persons, NULL AS edition,
        NULL AS base_date, source_table AS sources, vintage, synthetic
    FROM marts.land_totals
    WHERE measure = 'population' AND list_contains($states, state) AND sex = 'total' AND nationality = 'total'
      AND age_from IS NULL AND age_to IS NULL AND core.schema_breakdown(source_dims) AND value IS NOT NULL
      AND month(ref_date) = 12 AND day(ref_date) = 31 AND EXISTS (SELECT 1 FROM projected)
    QUALIFY row_number() OVER (
        PARTITION BY state, ref_date ORDER BY derivation = 'published' DESC, vintage DESC, source_table
    ) = 1
),
grouped AS (
    SELECT
        marts.state_group($states, $groups, state) AS state, kind, variant, ref_date, sum(persons) AS persons,
        any_value(edition) AS edition, any_value(base_date) AS base_date, core.source_list(sources) AS sources,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic, count(*) AS members
    FROM (SELECT * FROM projected UNION ALL SELECT * FROM observed)
    GROUP BY ALL
)
SELECT * EXCLUDE (members)
FROM grouped
WHERE members = marts.group_size($groups, state)
ORDER BY state, kind, variant, ref_date

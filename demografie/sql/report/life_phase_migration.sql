-- Net migration by life phase per 1,000 of the ages, in the kreisfreie Großstädte and the dünn
-- besiedelte ländliche Kreise (BBSR) of the Länder $states in their groups $groups (marts.indicator_groups),
-- for the newest year that every group has.
WITH known AS (
    SELECT * EXCLUDE (state_group), state_group AS state FROM marts.indicator_groups($states, $groups)
    WHERE indicator IN (
        SELECT 'net_migration_' || life_phase || '_per_1000' FROM meta.life_phases
    )
      AND area IN ('kreisfreie Großstadt', 'Dünn besiedelter ländlicher Kreis')
      AND value IS NOT NULL
),
complete AS (
    SELECT ref_date FROM known
    GROUP BY ref_date
    HAVING count(DISTINCT state) = len(list_distinct($groups))
)
SELECT
    replace(replace(indicator, 'net_migration_', ''), '_per_1000', '') AS life_phase,
    area, state, ref_date, value, sources, vintage, synthetic
FROM known
WHERE ref_date = (SELECT max(ref_date) FROM complete)
ORDER BY area, life_phase, state

-- The indicators of age structure, movement and labour for the BBSR settlement-structure types of
-- the Länder $states in their groups $groups, each on its newest date (the other themes have
-- sections of their own).
WITH known AS (
    SELECT * EXCLUDE (state_group), state_group AS state FROM marts.indicator_groups($states, $groups)
    WHERE theme IN ('age_structure', 'movement', 'labour')
      AND area IN (SELECT DISTINCT structure_name FROM meta.settlement_structure)
      AND value IS NOT NULL
),
latest AS (SELECT indicator, max(ref_date) AS ref_date FROM known GROUP BY indicator)
SELECT k.indicator, k.unit, k.ref_date, k.area, k.state, k.value, k.sources, k.vintage, k.synthetic
FROM known AS k JOIN latest USING (indicator, ref_date)
ORDER BY k.indicator, k.area, k.state

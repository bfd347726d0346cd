-- Each indicator of one theme ($theme: skilled_workers, services; see marts.indicators) for the
-- Länder $states in their groups $groups and their BBSR settlement-structure types, on its newest date.
WITH known AS (
    SELECT * EXCLUDE (state_group), state_group AS state FROM marts.indicator_groups($states, $groups)
    WHERE theme = $theme
      AND (area = 'land' OR area IN (SELECT DISTINCT structure_name FROM meta.settlement_structure))
      AND value IS NOT NULL
),
latest AS (SELECT indicator, max(ref_date) AS ref_date FROM known GROUP BY indicator)
SELECT k.indicator, k.unit, k.ref_date, k.area, k.state, k.value, k.sources, k.vintage, k.synthetic
FROM known AS k JOIN latest USING (indicator, ref_date)
ORDER BY k.indicator, k.area, k.state

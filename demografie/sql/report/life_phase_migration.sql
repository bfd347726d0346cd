-- Net migration by life phase per 1,000 of the ages, in the kreisfreie Großstädte and the dünn
-- besiedelte ländliche Kreise (BBSR) of both Länder, for the newest year that has both.
WITH known AS (
    SELECT * FROM marts.indicator_comparison
    WHERE indicator IN (
        SELECT 'net_migration_' || life_phase || '_per_1000' FROM meta.life_phases
    )
      AND area IN ('kreisfreie Großstadt', 'Dünn besiedelter ländlicher Kreis')
      AND hessen IS NOT NULL AND sachsen IS NOT NULL
)
SELECT
    replace(replace(indicator, 'net_migration_', ''), '_per_1000', '') AS life_phase,
    area, ref_date, hessen, sachsen, sources, vintage, synthetic
FROM known
WHERE ref_date = (SELECT max(ref_date) FROM known)
ORDER BY area, life_phase

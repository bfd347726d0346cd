-- The age ranges the marts relate figures to (marts.population_by_age_range): those of the life
-- phases, and the denominators of the indicators (day-care children, the young and the old of the
-- labour force, the ages of care).
CREATE TABLE meta.age_ranges AS
SELECT DISTINCT
    age_from, age_to, CASE WHEN age_to IS NULL THEN age_from || '+' ELSE age_from || '-' || age_to END AS label
FROM (
    SELECT age_from, age_to FROM meta.life_phases
    UNION ALL
    SELECT * FROM (VALUES (0, 5), (15, 19), (15, 24), (55, 64), (60, 64)) AS r(age_from, age_to)
)
ORDER BY age_from, age_to;

COMMENT ON TABLE meta.age_ranges IS 'The age ranges whose population marts.population_by_age_range gives.';
COMMENT ON COLUMN meta.age_ranges.label IS 'The range as from-to or from+ (years of age).';

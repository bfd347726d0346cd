-- The life phases of the migration balances (as the working groups ask: moves for education, for
-- the first job, of families, into retirement), each as the age ranges of the migration tables
-- 12711-02-02-4 and 12711-04-02-4 (under 18, 18-24, 25-29, 30-49, 50-64, 65+). Families are two
-- ranges: the children and their parents' ages.
CREATE TABLE meta.life_phases AS
SELECT * FROM (VALUES
    ('education', 18, 24, 'education (18-24)'),
    ('career_start', 25, 29, 'career start (25-29)'),
    ('families', 0, 17, 'families: children (under 18)'),
    ('families', 30, 49, 'families: parents (30-49)'),
    ('retirement', 65, NULL, 'retirement (65 and older)')
) AS phases(life_phase, age_from, age_to, label);

COMMENT ON TABLE meta.life_phases IS
    'Life phases of marts.migration_by_life_phase and the age ranges each is made of.';
COMMENT ON COLUMN meta.life_phases.life_phase IS 'education, career_start, families or retirement.';
COMMENT ON COLUMN meta.life_phases.label IS 'The range in words.';

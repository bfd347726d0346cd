-- The indicators, declared once: theme, unit, factor, title and what numerator and denominator
-- count. marts.indicators computes them per Kreis and takes theme, unit and factor from here; the
-- report and the maps take their titles from here, and the report's maps are those with a
-- report_map position. An indicator marts.indicators computes without a row here fails the check
-- indicators_declared.
CREATE TABLE meta.indicators AS
SELECT * FROM (VALUES
    ('share_under_20', 'age_structure', 'percent', 100, 'Share of people under 20',
     'persons under 20', 'population', 'the reference day', NULL),
    ('share_65_plus', 'age_structure', 'percent', 100, 'Share of people aged 65 and over',
     'persons aged 65+', 'population', 'the reference day', 3),
    ('share_80_plus', 'age_structure', 'percent', 100, 'Share of people aged 80 and over',
     'persons aged 80+', 'population', 'the reference day', NULL),
    ('youth_dependency_ratio', 'age_structure', 'per 100 aged 20-64', 100,
     'Youth dependency ratio: people under 20 per 100 aged 20-64',
     'persons under 20', 'persons aged 20-64', 'the reference day', NULL),
    ('old_age_dependency_ratio', 'age_structure', 'per 100 aged 20-64', 100,
     'Old-age dependency ratio: people aged 65+ per 100 aged 20-64',
     'persons aged 65+', 'persons aged 20-64', 'the reference day', 2),
    ('population_change_5y', 'movement', 'percent', 100,
     'Population change over five years (linked across census breaks)',
     'change over five years', 'population five years earlier, on this basis', 'the reference day', 1),
    ('natural_balance_per_1000', 'movement', 'per 1,000 inhabitants', 1000,
     'Natural balance (births minus deaths) per 1,000 inhabitants',
     'births minus deaths in the year', 'population at the end of the year', '31 December of the year', NULL),
    ('net_migration_per_1000', 'movement', 'per 1,000 inhabitants', 1000, 'Net migration per 1,000 inhabitants',
     'moves in minus moves out in the year', 'population at the end of the year', '31 December of the year', 4),
    ('employees_workplace_per_1000', 'labour', 'per 1,000 aged 15-64', 1000,
     'Employees at their workplace per 1,000 people aged 15-64',
     'employees subject to social insurance at the workplace', 'persons aged 15-64', '30 June of the year', NULL),
    ('employees_residence_per_1000', 'labour', 'per 1,000 aged 15-64', 1000,
     'Employees at their residence per 1,000 people aged 15-64',
     'employees subject to social insurance at the residence', 'persons aged 15-64', '30 June of the year', NULL),
    ('commuter_balance_per_1000', 'labour', 'per 1,000 aged 15-64', 1000,
     'Commuter balance per 1,000 people aged 15-64',
     'employees at the workplace minus at the residence', 'persons aged 15-64', '30 June of the year', NULL),
    ('foreign_share_employees', 'labour', 'percent', 100, 'Share of foreigners among the employees',
     'foreign employees at the workplace', 'employees at the workplace', '30 June of the year', NULL),
    ('unemployed_per_1000', 'labour', 'per 1,000 aged 15-64', 1000, 'Unemployed per 1,000 people aged 15-64',
     'unemployed persons', 'persons aged 15-64', '31 December of the year', 5),
    ('net_migration_education_per_1000', 'life_phases', 'per 1,000 of the ages', 1000,
     'Net migration of people aged 18-24 per 1,000 of that age',
     'net migration aged 18-24', 'persons aged 18-24', '31 December of the year', 6),
    ('net_migration_career_start_per_1000', 'life_phases', 'per 1,000 of the ages', 1000,
     'Net migration of people aged 25-29 per 1,000 of that age',
     'net migration aged 25-29', 'persons aged 25-29', '31 December of the year', NULL),
    ('net_migration_families_per_1000', 'life_phases', 'per 1,000 of the ages', 1000,
     'Net migration of families (under 18 and 30-49) per 1,000 of those ages',
     'net migration under 18 and aged 30-49', 'persons under 18 and aged 30-49', '31 December of the year', NULL),
    ('net_migration_retirement_per_1000', 'life_phases', 'per 1,000 of the ages', 1000,
     'Net migration of people aged 65 and over per 1,000 of that age',
     'net migration aged 65+', 'persons aged 65+', '31 December of the year', NULL),
    ('replacement_ratio_15_19_per_60_64', 'skilled_workers', 'per 100 aged 60-64', 100,
     'Replacement ratio: people aged 15-19 per 100 aged 60-64',
     'persons aged 15-19', 'persons aged 60-64', 'the reference day', 7),
    ('replacement_ratio_15_24_per_55_64', 'skilled_workers', 'per 100 aged 55-64', 100,
     'Replacement ratio: people aged 15-24 per 100 aged 55-64',
     'persons aged 15-24', 'persons aged 55-64', 'the reference day', NULL),
    ('employees_without_vocational_share', 'skilled_workers', 'percent', 100,
     'Share of employees without a vocational qualification (workplace)',
     'employees without a vocational qualification', 'employees at the workplace', 'the reference day', NULL),
    ('employees_without_vocational_share_residence', 'skilled_workers', 'percent', 100,
     'Share of employees without a vocational qualification (residence)',
     'employees without a vocational qualification', 'employees at the residence', 'the reference day', NULL),
    ('employees_vocational_share', 'skilled_workers', 'percent', 100,
     'Share of employees with a vocational qualification (workplace)',
     'employees with a vocational qualification', 'employees at the workplace', 'the reference day', NULL),
    ('employees_vocational_share_residence', 'skilled_workers', 'percent', 100,
     'Share of employees with a vocational qualification (residence)',
     'employees with a vocational qualification', 'employees at the residence', 'the reference day', NULL),
    ('employees_academic_share', 'skilled_workers', 'percent', 100,
     'Share of employees with an academic degree (workplace)',
     'employees with an academic degree', 'employees at the workplace', 'the reference day', NULL),
    ('employees_academic_share_residence', 'skilled_workers', 'percent', 100,
     'Share of employees with an academic degree (residence)',
     'employees with an academic degree', 'employees at the residence', 'the reference day', NULL),
    ('school_leavers_without_hsa_per_100', 'skilled_workers', 'per 100 school leavers', 100,
     'School leavers without a Hauptschulabschluss per 100 school leavers',
     'school leavers without a Hauptschulabschluss', 'school leavers', '31 December of the school year''s end', NULL),
    ('vocational_pupils_per_1000_15_24', 'skilled_workers', 'per 1,000 aged 15-24', 1000,
     'Pupils of vocational schools per 1,000 people aged 15-24',
     'pupils of vocational schools', 'persons aged 15-24', '31 December of the school year''s end', NULL),
    ('daycare_places_per_100_under_6', 'services', 'per 100 children under 6', 100,
     'Day-care places per 100 children under 6',
     'approved day-care places', 'children under 6', 'the day-care Stichtag (1 March)', NULL),
    ('care_recipients_per_1000_65_plus', 'services', 'per 1,000 aged 65+', 1000,
     'Persons in need of care per 1,000 people aged 65 and over',
     'persons in need of care', 'persons aged 65+', '31 December of the year', 8),
    ('hospital_beds_per_10000', 'services', 'per 10,000 inhabitants', 10000, 'Hospital beds per 10,000 inhabitants',
     'hospital beds', 'population', '31 December of the year', NULL)
) AS declared(indicator, theme, unit, factor, title, numerator, denominator, ref_date_rule, report_map);

COMMENT ON TABLE meta.indicators IS
    'Every indicator of marts.indicators, declared once: theme, unit, factor, title, what numerator and denominator count, and the day a value refers to.';
COMMENT ON COLUMN meta.indicators.indicator IS 'Name of the indicator, as in marts.indicators.';
COMMENT ON COLUMN meta.indicators.theme IS 'The working groups'' theme the indicator answers: age_structure, movement, labour, life_phases (rural areas and the cities), skilled_workers (the pipeline from school to job), services (Daseinsvorsorge).';
COMMENT ON COLUMN meta.indicators.unit IS 'Unit of the indicator value.';
COMMENT ON COLUMN meta.indicators.factor IS 'value = factor * numerator / denominator: 100 for percent and per-100 ratios, 1000 for per-1,000 rates, 10000 for per-10,000 rates.';
COMMENT ON COLUMN meta.indicators.title IS 'The indicator in words, as the report and the maps title it.';
COMMENT ON COLUMN meta.indicators.numerator IS 'What the numerator counts.';
COMMENT ON COLUMN meta.indicators.denominator IS 'What the denominator counts.';
COMMENT ON COLUMN meta.indicators.ref_date_rule IS 'The day a value refers to (for annual flows: 31 December of the year).';
COMMENT ON COLUMN meta.indicators.report_map IS 'Position among the maps of the report; NULL: not drawn there (`demografie map` draws any indicator).';

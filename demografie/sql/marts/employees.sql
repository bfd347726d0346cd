CREATE VIEW marts.employees AS
SELECT
    region_code, region_name, region_level, state, settlement_type, ref_date, sex, nationality,
    value AS employees, status, quality, source, source_table, vintage, synthetic
FROM core.preferred_observations
WHERE measure = 'employees' AND age_from IS NULL AND age_to IS NULL
ORDER BY region_code, ref_date, sex, nationality;

COMMENT ON VIEW marts.employees IS
    'Employees subject to social insurance at their place of work (Bundesagentur für Arbeit), 30 June, by region, sex and nationality; from the most authoritative source that has the figure.';
COMMENT ON COLUMN marts.employees.ref_date IS 'Reference day (30 June).';
COMMENT ON COLUMN marts.employees.employees IS 'Persons employed at a workplace in the region; NULL where the publisher printed a symbol (see status).';
COMMENT ON COLUMN marts.employees.status IS 'The publisher''s symbol instead of a number.';
COMMENT ON COLUMN marts.employees.quality IS 'The publisher''s quality mark, if any.';
COMMENT ON COLUMN marts.employees.source_table IS 'The publisher''s table this figure comes from.';

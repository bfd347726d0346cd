CREATE VIEW marts.employees AS
SELECT
    region_code, region_name, region_level, state, ref_date, sex, nationality,
    value AS employees, status, quality, source, source_table, vintage, synthetic
FROM core.valid_observations
WHERE measure = 'employees' AND dataset = 'employees_workplace'
ORDER BY region_code, ref_date, sex, nationality;

COMMENT ON VIEW marts.employees IS
    'Employees subject to social insurance at their place of work, 30 June, by region, sex and nationality. Source: Regionaldatenbank Deutschland 13111-01-03-4 (Bundesagentur für Arbeit), Datenlizenz Deutschland – Namensnennung – Version 2.0.';
COMMENT ON COLUMN marts.employees.employees IS 'Persons; NULL where the publisher printed a symbol (see status).';

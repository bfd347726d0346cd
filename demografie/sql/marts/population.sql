CREATE VIEW marts.population AS
SELECT
    region_code, region_name, region_level, state, ref_date, sex, age_from, age_to,
    value AS population, status, quality, source, source_table, vintage, synthetic
FROM core.current_observations
WHERE measure = 'population'
ORDER BY region_code, ref_date, sex;

COMMENT ON VIEW marts.population IS
    'Population (current vintage) by region, reference date and sex. Source: Regionaldatenbank Deutschland 12411-01-01-4, Datenlizenz Deutschland – Namensnennung – Version 2.0.';
COMMENT ON COLUMN marts.population.population IS 'Persons; NULL where the publisher printed a symbol (see status).';
COMMENT ON COLUMN marts.population.status IS 'Publisher symbol when there is no number (- also fills dissolved regions).';

-- The school end of the skilled-worker pipeline per region and year: leavers of general schools by
-- qualification (21111-02-06-4), pupils of vocational schools (21121-01-05-4) against the
-- inhabitants aged 15-24 on 31 December of the year the school year begins, and vocational school
-- leavers (21121-02-02-4). The year is that of the table: the school year beginning in it.
CREATE VIEW marts.schools AS
WITH leavers AS (
    SELECT
        region_code, year(ref_date) AS year,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(value) FILTER (WHERE measure = 'school_leavers') AS school_leavers,
        max(value) FILTER (WHERE measure = 'school_leavers_without_hsa') AS school_leavers_without_hsa,
        max(value) FILTER (WHERE measure = 'school_leavers_abitur') AS school_leavers_abitur,
        max(value) FILTER (WHERE measure = 'vocational_leavers') AS vocational_leavers,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic
    FROM core.preferred_observations
    WHERE measure IN ('school_leavers', 'school_leavers_without_hsa', 'school_leavers_abitur', 'vocational_leavers')
      AND sex = 'total' AND nationality = 'total' AND age_from IS NULL
    GROUP BY region_code, year(ref_date)
),
pupils AS (
    SELECT
        region_code, year(ref_date) AS year,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(value) FILTER (WHERE measure = 'vocational_pupils' AND class = '') AS vocational_pupils,
        max(value) FILTER (WHERE measure = 'vocational_pupils' AND class = 'Berufsschulen') AS berufsschule_pupils,
        max(value) FILTER (WHERE measure = 'pupils' AND class = '') AS general_school_pupils,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic
    FROM core.classified_observations
    WHERE measure IN ('vocational_pupils', 'pupils') AND class_variable = 'SCHULART'
      AND sex = 'total' AND nationality = 'total'
    GROUP BY region_code, year(ref_date)
),
young AS (
    SELECT region_code, year(ref_date) AS year, population, census_basis, source_table
    FROM marts.population_by_age_range
    WHERE age_from = 15 AND age_to = 24 AND month(ref_date) = 12 AND day(ref_date) = 31
)
SELECT
    region_code, coalesce(l.region_name, p.region_name) AS region_name,
    coalesce(l.region_level, p.region_level) AS region_level, coalesce(l.state, p.state) AS state,
    s.settlement_type, s.settlement_structure, s.settlement_structure_name, year,
    l.school_leavers, l.school_leavers_without_hsa, l.school_leavers_abitur,
    round(100 * l.school_leavers_without_hsa / nullif(l.school_leavers, 0), 3) AS without_hsa_per_100_leavers,
    l.vocational_leavers, p.general_school_pupils, p.vocational_pupils, p.berufsschule_pupils,
    y.population AS population_15_24, y.census_basis AS population_census_basis,
    round(1000 * p.vocational_pupils / nullif(y.population, 0), 3) AS vocational_pupils_per_1000_15_24,
    concat_ws(', ', l.source_tables, p.source_tables) AS source_tables, y.source_table AS population_source_table,
    greatest(l.vintage, p.vintage) AS vintage, coalesce(l.synthetic, FALSE) OR coalesce(p.synthetic, FALSE) AS synthetic
FROM leavers AS l
FULL JOIN pupils AS p USING (region_code, year)
LEFT JOIN young AS y USING (region_code, year)
LEFT JOIN core.region_settlement AS s USING (region_code)
ORDER BY region_code, year;

COMMENT ON VIEW marts.schools IS
    'School leavers by qualification and pupils of vocational schools per region and school year, with leavers without Hauptschulabschluss per 100 leavers and vocational pupils per 1,000 inhabitants aged 15-24.';
COMMENT ON COLUMN marts.schools.year IS 'The year the school year begins in, as the tables give it (2023: 2023/24; leavers: as the table counts them).';
COMMENT ON COLUMN marts.schools.school_leavers IS 'Leavers of general schools, all qualifications (21111-02-06-4).';
COMMENT ON COLUMN marts.schools.school_leavers_without_hsa IS 'Leavers of general schools without a Hauptschulabschluss.';
COMMENT ON COLUMN marts.schools.school_leavers_abitur IS 'Leavers of general schools with the allgemeine Hochschulreife.';
COMMENT ON COLUMN marts.schools.without_hsa_per_100_leavers IS 'school_leavers_without_hsa per 100 school_leavers.';
COMMENT ON COLUMN marts.schools.vocational_leavers IS 'Leavers of vocational schools with a general-education qualification (21121-02-02-4).';
COMMENT ON COLUMN marts.schools.general_school_pupils IS 'Pupils of general schools, all school types (21111-01-03-4).';
COMMENT ON COLUMN marts.schools.vocational_pupils IS 'Pupils of vocational schools, all school types (21121-01-05-4).';
COMMENT ON COLUMN marts.schools.berufsschule_pupils IS 'Pupils of Berufsschulen (the dual system''s school part), a part of vocational_pupils.';
COMMENT ON COLUMN marts.schools.population_15_24 IS 'Persons aged 15-24 on 31 December of the year (marts.population_by_age_range).';
COMMENT ON COLUMN marts.schools.population_census_basis IS 'The census population_15_24 stands on.';
COMMENT ON COLUMN marts.schools.vocational_pupils_per_1000_15_24 IS 'vocational_pupils per 1,000 persons aged 15-24.';
COMMENT ON COLUMN marts.schools.source_tables IS 'The publishers'' school tables the figures come from.';
COMMENT ON COLUMN marts.schools.population_source_table IS 'The publisher''s table population_15_24 comes from.';
COMMENT ON COLUMN marts.schools.vintage IS 'The newest Stand among the school tables.';

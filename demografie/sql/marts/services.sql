-- Daseinsvorsorge per region and year: approved places in child day-care facilities (1 March;
-- 15 March until 2008) per 100 children under 6 on the 31 December before, persons in need of
-- long-term care per 1,000 inhabitants aged 65 and older (31 December; all ages are counted, the
-- table has no age split), and hospital beds (annual average) per 10,000 inhabitants on 31 December.
CREATE VIEW marts.services AS
WITH figures AS (
    SELECT
        region_code, year(ref_date) AS year,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(value) FILTER (WHERE measure = 'daycare_places') AS daycare_places,
        max(ref_date) FILTER (WHERE measure = 'daycare_places') AS daycare_date,
        max(value) FILTER (WHERE measure = 'care_recipients') AS care_recipients,
        max(value) FILTER (WHERE measure = 'care_recipients_residential') AS care_recipients_residential,
        max(value) FILTER (WHERE measure = 'hospital_beds') AS hospital_beds,
        max(value) FILTER (WHERE measure = 'hospitals') AS hospitals,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic
    FROM core.preferred_observations
    WHERE measure IN ('daycare_places', 'care_recipients', 'care_recipients_residential', 'hospital_beds', 'hospitals')
      AND sex = 'total' AND nationality = 'total' AND age_from IS NULL
    GROUP BY region_code, year(ref_date)
),
ranges AS (
    SELECT
        region_code, year(ref_date) AS year,
        max(population) FILTER (WHERE age_from = 0 AND age_to = 5) AS under_6,
        max(census_basis) FILTER (WHERE age_from = 0 AND age_to = 5) AS under_6_census_basis,
        max(population) FILTER (WHERE age_from = 65 AND age_to IS NULL) AS age_65_plus,
        max(census_basis) FILTER (WHERE age_from = 65 AND age_to IS NULL) AS age_65_plus_census_basis
    FROM marts.population_by_age_range
    WHERE month(ref_date) = 12 AND day(ref_date) = 31
    GROUP BY ALL
)
SELECT
    f.region_code, f.region_name, f.region_level, f.state,
    s.settlement_type, s.settlement_structure, s.settlement_structure_name, f.year,
    f.daycare_date, f.daycare_places, c.under_6 AS children_under_6, c.under_6_census_basis AS children_census_basis,
    round(100 * f.daycare_places / nullif(c.under_6, 0), 3) AS daycare_places_per_100_under_6,
    f.care_recipients, f.care_recipients_residential, r.age_65_plus AS population_65_plus,
    r.age_65_plus_census_basis AS population_65_plus_census_basis,
    round(1000 * f.care_recipients / nullif(r.age_65_plus, 0), 3) AS care_recipients_per_1000_65_plus,
    f.hospitals, f.hospital_beds, p.population, p.population_census_basis,
    round(10000 * f.hospital_beds / nullif(p.population, 0), 3) AS hospital_beds_per_10000,
    f.source_tables, f.vintage, f.synthetic
FROM figures AS f
LEFT JOIN ranges AS c ON c.region_code = f.region_code AND c.year = f.year - 1
LEFT JOIN ranges AS r ON r.region_code = f.region_code AND r.year = f.year
LEFT JOIN marts.year_end_population AS p ON p.region_code = f.region_code AND p.year = f.year
LEFT JOIN core.region_settlement AS s ON s.region_code = f.region_code
ORDER BY f.region_code, f.year;

COMMENT ON VIEW marts.services IS
    'Daseinsvorsorge per region and year: child day-care places per 100 children under 6, persons in need of care per 1,000 aged 65+, hospital beds per 10,000 inhabitants.';
COMMENT ON COLUMN marts.services.year IS 'Year of the figures (day care: its March Stichtag; care: 31 December; hospitals: annual average and 31 December).';
COMMENT ON COLUMN marts.services.daycare_date IS 'The Stichtag of the day-care figures (1 March; 15 March until 2008).';
COMMENT ON COLUMN marts.services.daycare_places IS 'Approved places in child day-care facilities (22541-01-04-4), all ages including Hort places for school children.';
COMMENT ON COLUMN marts.services.children_under_6 IS 'Persons under 6 on 31 December of the year before the Stichtag (the latest count at it).';
COMMENT ON COLUMN marts.services.children_census_basis IS 'The census children_under_6 stands on.';
COMMENT ON COLUMN marts.services.daycare_places_per_100_under_6 IS 'daycare_places per 100 children_under_6.';
COMMENT ON COLUMN marts.services.care_recipients IS 'Persons in need of long-term care, all ages and kinds of care (22411-02-03-4), 31 December.';
COMMENT ON COLUMN marts.services.care_recipients_residential IS 'Of them, in full-time residential care (vollstationär).';
COMMENT ON COLUMN marts.services.population_65_plus IS 'Persons aged 65 and older on 31 December.';
COMMENT ON COLUMN marts.services.population_65_plus_census_basis IS 'The census population_65_plus stands on.';
COMMENT ON COLUMN marts.services.care_recipients_per_1000_65_plus IS 'care_recipients (all ages) per 1,000 persons aged 65 and older.';
COMMENT ON COLUMN marts.services.hospitals IS 'Hospitals (23111-01-04-4), 31 December.';
COMMENT ON COLUMN marts.services.hospital_beds IS 'Hospital beds set up, annual average.';
COMMENT ON COLUMN marts.services.population IS 'Persons on 31 December of the year (marts.year_end_population).';
COMMENT ON COLUMN marts.services.hospital_beds_per_10000 IS 'hospital_beds per 10,000 inhabitants.';
COMMENT ON COLUMN marts.services.source_tables IS 'The publishers'' tables of the services.';
COMMENT ON COLUMN marts.services.vintage IS 'The newest Stand among the services tables.';

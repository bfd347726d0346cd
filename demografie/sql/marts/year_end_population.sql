-- The population on 31 December per region and year: the denominator of every annual rate (the
-- movement balances, the labour-market rates). Held once here so that every mart
-- divides by the same figure, on the census basis it names.
CREATE VIEW marts.year_end_population AS
WITH totals AS (
    SELECT region_code, year(ref_date) AS year, population, census_basis
    FROM marts.population
    WHERE sex = 'total' AND nationality = 'total' AND age_from IS NULL AND age_to IS NULL
      AND month(ref_date) = 12 AND day(ref_date) = 31
),
working_age AS (
    SELECT region_code, year(ref_date) AS year, working_age_population, census_basis
    FROM marts.age_structure
    WHERE month(ref_date) = 12 AND day(ref_date) = 31 AND working_age_population IS NOT NULL
)
SELECT
    region_code, year,
    t.population, t.census_basis AS population_census_basis,
    w.working_age_population, w.census_basis AS working_age_census_basis
FROM totals AS t
FULL JOIN working_age AS w USING (region_code, year)
ORDER BY region_code, year;

COMMENT ON VIEW marts.year_end_population IS
    'Population on 31 December per region and year, in all and aged 15-64: the denominators of the annual rates of marts.movement and marts.labour_market.';
COMMENT ON COLUMN marts.year_end_population.year IS 'The year whose 31 December the figures are of.';
COMMENT ON COLUMN marts.year_end_population.population IS 'Persons on 31 December (marts.population, all ages).';
COMMENT ON COLUMN marts.year_end_population.working_age_population IS 'Persons aged 15-64 on 31 December (marts.age_structure; NULL where no table''s age bands give it).';
COMMENT ON COLUMN marts.year_end_population.working_age_census_basis IS 'The census working_age_population stands on.';

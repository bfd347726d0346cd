-- How far a projection lay from what happened: for each edition and variant, the projected
-- population of a Land against the observed one (marts.population, 31 December) for the years that
-- have both. A gap across census bases mixes the projection's error with the census correction
-- (the 2024 re-basing on the Zensus 2022 lowered both states' figures): same_basis says which.
CREATE VIEW marts.projection_gap AS
WITH projected AS (
    SELECT region_code, region_name, state, edition, base_date, variant, ref_date, projected_population,
           base_census_basis, source_table, vintage, synthetic
    FROM marts.population_projection
    WHERE sex = 'total' AND age_from IS NULL AND age_to IS NULL AND projected_population IS NOT NULL
),
observed AS (
    SELECT region_code, ref_date, population, census_basis, source_table, vintage, synthetic
    FROM marts.population
    WHERE region_level = 'land' AND sex = 'total' AND nationality = 'total' AND age_from IS NULL AND age_to IS NULL
)
SELECT
    p.region_code, p.region_name, p.state, p.edition, p.base_date, p.variant, p.ref_date,
    p.projected_population, o.population AS observed_population,
    p.projected_population - o.population AS gap,
    round(100 * (p.projected_population - o.population) / nullif(o.population, 0), 3) AS gap_percent,
    p.base_census_basis AS projection_census_basis, o.census_basis AS observation_census_basis,
    p.base_census_basis IS NOT DISTINCT FROM o.census_basis AS same_basis,
    p.source_table AS projection_table, o.source_table AS observation_table,
    p.vintage AS projection_vintage, o.vintage AS observation_vintage, p.synthetic OR o.synthetic AS synthetic
FROM projected AS p
JOIN observed AS o USING (region_code, ref_date)
ORDER BY p.region_code, p.edition, p.variant, p.ref_date;

COMMENT ON VIEW marts.projection_gap IS
    'Projected against observed population per Land, edition, variant and 31 December for the years that have both, with the census basis of each side.';
COMMENT ON COLUMN marts.projection_gap.projected_population IS 'Persons projected for the day (rounded to thousands).';
COMMENT ON COLUMN marts.projection_gap.observed_population IS 'Persons counted on the day (marts.population).';
COMMENT ON COLUMN marts.projection_gap.gap IS 'Persons: projected_population - observed_population.';
COMMENT ON COLUMN marts.projection_gap.gap_percent IS 'gap per 100 observed persons.';
COMMENT ON COLUMN marts.projection_gap.projection_census_basis IS 'The census the projection''s base population stands on.';
COMMENT ON COLUMN marts.projection_gap.observation_census_basis IS 'The census the observed figure stands on.';
COMMENT ON COLUMN marts.projection_gap.same_basis IS 'TRUE when both stand on the same census; FALSE: the gap includes the census correction.';
COMMENT ON COLUMN marts.projection_gap.projection_table IS 'The publisher''s table of the projection.';
COMMENT ON COLUMN marts.projection_gap.observation_table IS 'The publisher''s table of the observed figure.';
COMMENT ON COLUMN marts.projection_gap.projection_vintage IS 'The Stand of the projection.';
COMMENT ON COLUMN marts.projection_gap.observation_vintage IS 'The Stand of the observed figure.';
COMMENT ON COLUMN marts.projection_gap.ref_date IS 'The day both the projection and the observation give (31 December).';

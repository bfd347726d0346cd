-- The projected population per Land, edition, variant and reference date: never an observation.
-- Every edition is kept (a new one does not overwrite the years the old one projected), each with
-- the latest figures its vintages gave; the edition follows from the vintage (meta.projection_editions).
-- Projections are their own measure, split by their variant, so no mart of observed figures and
-- no source precedence ever takes one for a figure of the past.
CREATE VIEW marts.population_projection AS
WITH versions AS (
    SELECT o.*, e.edition, e.name AS edition_name, e.base_date, e.census_basis AS base_census_basis
    FROM core.observations AS o
    ASOF LEFT JOIN meta.projection_editions AS e ON CAST(o.vintage AS DATE) >= e.first_vintage
    WHERE o.measure = 'projected_population'
)
SELECT
    region_code, region_name, region_level, state, edition, edition_name, base_date,
    source_dims['BEVPR2'] AS variant, ref_date, sex, age_from, age_to,
    -- scaled by the unit the file states (the published tables say 1,000; a file in persons is not
    -- multiplied); a unit that is no count of persons gives no figure rather than a wrong one
    value * CASE unit WHEN 'thousand' THEN 1000 WHEN 'count' THEN 1 END AS projected_population, status, base_census_basis, source_table, vintage, synthetic
FROM versions
QUALIFY row_number() OVER (
    PARTITION BY edition, source_table, source_measure, region_code, ref_date, source_dims
    ORDER BY vintage DESC, retrieved_at DESC
) = 1
ORDER BY region_code, edition, variant, ref_date, sex, age_from;

COMMENT ON VIEW marts.population_projection IS
    'Projected population (Destatis 12421) per Land, edition, variant, reference date, sex and age: projections, never observations; every edition kept.';
COMMENT ON COLUMN marts.population_projection.edition IS 'The coordinated projection the figure belongs to (meta.projection_editions); NULL for a vintage before every known edition.';
COMMENT ON COLUMN marts.population_projection.edition_name IS 'The edition''s name.';
COMMENT ON COLUMN marts.population_projection.variant IS 'The publisher''s variant code (BEV-VARIANTE-01 ...); its assumptions (births G, life expectancy L, migration W) are in the table''s metadata.';
COMMENT ON COLUMN marts.population_projection.ref_date IS 'The projected day (31 December).';
COMMENT ON COLUMN marts.population_projection.projected_population IS 'Persons projected: the publisher''s figure scaled by the unit its file states (in 1,000 as published: rounded to thousands).';
COMMENT ON COLUMN marts.population_projection.status IS 'The publisher''s symbol instead of a number, if any.';
COMMENT ON COLUMN marts.population_projection.base_census_basis IS 'The census the base population stands on (meta.projection_editions).';
COMMENT ON COLUMN marts.population_projection.source_table IS 'The publisher''s table (12421-0003 totals, 12421-0004 by sex and age).';
COMMENT ON COLUMN marts.population_projection.age_from IS 'First year of age (inclusive); NULL with age_to NULL: all ages (12421-0003).';
COMMENT ON COLUMN marts.population_projection.age_to IS 'Last year of age (inclusive); NULL: open-ended or all ages.';

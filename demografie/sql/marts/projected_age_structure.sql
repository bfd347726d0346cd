-- The projected age structure per Land, edition, variant and reference date, from the projection by
-- single years of age (12421-0004): the shares of the young and the old and the replacement ratio
-- of the labour force (persons aged 15-19 per 100 aged 60-64, 15-24 per 100 aged 55-64), as
-- marts.age_structure and marts.labour_force_replacement give them for the observed years.
CREATE VIEW marts.projected_age_structure AS
SELECT
    region_code, core.newest_name(region_name, vintage) AS region_name, any_value(state) AS state, edition,
    any_value(base_date) AS base_date, variant, ref_date,
    sum(projected_population) AS projected_population,
    round(100 * sum(projected_population) FILTER (WHERE age_to <= 19) / nullif(sum(projected_population), 0), 3)
        AS share_under_20,
    round(100 * sum(projected_population) FILTER (WHERE age_from >= 65) / nullif(sum(projected_population), 0), 3)
        AS share_65_plus,
    sum(projected_population) FILTER (WHERE age_from >= 15 AND age_to <= 19) AS age_15_19,
    sum(projected_population) FILTER (WHERE age_from >= 60 AND age_to <= 64) AS age_60_64,
    round(
        100 * sum(projected_population) FILTER (WHERE age_from >= 15 AND age_to <= 19)
        / nullif(sum(projected_population) FILTER (WHERE age_from >= 60 AND age_to <= 64), 0), 3
    ) AS replacement_ratio_15_19_per_60_64,
    round(
        100 * sum(projected_population) FILTER (WHERE age_from >= 15 AND age_to <= 24)
        / nullif(sum(projected_population) FILTER (WHERE age_from >= 55 AND age_to <= 64), 0), 3
    ) AS replacement_ratio_15_24_per_55_64,
    any_value(base_census_basis) AS base_census_basis, any_value(source_table) AS source_table,
    max(vintage) AS vintage, bool_or(synthetic) AS synthetic
FROM marts.population_projection
WHERE sex = 'total' AND age_from IS NOT NULL
GROUP BY region_code, edition, variant, ref_date
-- every year of age from 0 to the open-ended last band, each with a figure
HAVING min(age_from) = 0 AND count(*) FILTER (WHERE age_to IS NULL) = 1
   AND count(projected_population) = count(*) AND count(*) = max(age_from) + 1
ORDER BY region_code, edition, variant, ref_date;

COMMENT ON VIEW marts.projected_age_structure IS
    'Projected age structure and replacement ratio of the labour force per Land, edition, variant and date (from 12421-0004); projections, never observations.';
COMMENT ON COLUMN marts.projected_age_structure.ref_date IS 'The projected day (31 December).';
COMMENT ON COLUMN marts.projected_age_structure.projected_population IS 'Persons projected, all ages (the sum of the single years).';
COMMENT ON COLUMN marts.projected_age_structure.share_under_20 IS 'Percent of the projected population aged under 20.';
COMMENT ON COLUMN marts.projected_age_structure.share_65_plus IS 'Percent of the projected population aged 65 and older.';
COMMENT ON COLUMN marts.projected_age_structure.age_15_19 IS 'Persons projected aged 15-19.';
COMMENT ON COLUMN marts.projected_age_structure.age_60_64 IS 'Persons projected aged 60-64.';
COMMENT ON COLUMN marts.projected_age_structure.replacement_ratio_15_19_per_60_64 IS 'age_15_19 per 100 age_60_64.';
COMMENT ON COLUMN marts.projected_age_structure.replacement_ratio_15_24_per_55_64 IS 'Persons aged 15-24 per 100 aged 55-64.';
COMMENT ON COLUMN marts.projected_age_structure.base_census_basis IS 'The census the base population stands on.';
COMMENT ON COLUMN marts.projected_age_structure.source_table IS 'The publisher''s table of the projection.';
COMMENT ON COLUMN marts.projected_age_structure.vintage IS 'The publisher''s Stand of the projection.';

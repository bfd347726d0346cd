-- Who replaces the labour force as it retires: persons about to enter it (15-19, or 15-24) per 100
-- persons about to leave it (60-64, or 55-64), per region and reference date, observed (the
-- Fortschreibung and the census). The projected ratios are in marts.projected_age_structure.
CREATE VIEW marts.labour_force_replacement AS
WITH ranges AS (
    SELECT
        region_code, ref_date,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(population) FILTER (WHERE age_from = 15 AND age_to = 19) AS age_15_19,
        max(population) FILTER (WHERE age_from = 60 AND age_to = 64) AS age_60_64,
        max(population) FILTER (WHERE age_from = 15 AND age_to = 24) AS age_15_24,
        max(population) FILTER (WHERE age_from = 55 AND age_to = 64) AS age_55_64,
        -- of the four ranges only (a macro takes no FILTER: NULLs, which the lists leave out, instead)
        core.basis_list(CASE WHEN (age_from, age_to) IN ((15, 19), (60, 64), (15, 24), (55, 64)) THEN census_basis END)
            AS census_basis,
        core.source_list(CASE WHEN (age_from, age_to) IN ((15, 19), (60, 64), (15, 24), (55, 64)) THEN source_table END)
            AS source_tables,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic
    FROM marts.population_by_age_range
    GROUP BY region_code, ref_date
)
SELECT
    r.region_code, r.region_name, r.region_level, r.state,
    s.settlement_type, s.settlement_structure, s.settlement_structure_name, r.ref_date,
    r.age_15_19, r.age_60_64, round(100 * r.age_15_19 / nullif(r.age_60_64, 0), 3) AS replacement_ratio_15_19_per_60_64,
    r.age_15_24, r.age_55_64, round(100 * r.age_15_24 / nullif(r.age_55_64, 0), 3) AS replacement_ratio_15_24_per_55_64,
    r.census_basis, r.source_tables, r.vintage, r.synthetic
FROM ranges AS r
LEFT JOIN core.region_settlement AS s USING (region_code)
WHERE r.age_60_64 IS NOT NULL OR r.age_55_64 IS NOT NULL
ORDER BY r.region_code, r.ref_date;

COMMENT ON VIEW marts.labour_force_replacement IS
    'Replacement ratio of the labour force per region and reference date: persons aged 15-19 per 100 aged 60-64, and 15-24 per 100 aged 55-64 (observed figures; projections in marts.projected_age_structure).';
COMMENT ON COLUMN marts.labour_force_replacement.age_15_19 IS 'Persons aged 15-19 (about to enter the labour force).';
COMMENT ON COLUMN marts.labour_force_replacement.age_60_64 IS 'Persons aged 60-64 (about to leave it).';
COMMENT ON COLUMN marts.labour_force_replacement.replacement_ratio_15_19_per_60_64 IS 'age_15_19 per 100 age_60_64.';
COMMENT ON COLUMN marts.labour_force_replacement.age_15_24 IS 'Persons aged 15-24.';
COMMENT ON COLUMN marts.labour_force_replacement.age_55_64 IS 'Persons aged 55-64.';
COMMENT ON COLUMN marts.labour_force_replacement.replacement_ratio_15_24_per_55_64 IS 'age_15_24 per 100 age_55_64.';
COMMENT ON COLUMN marts.labour_force_replacement.census_basis IS 'The census the figures stand on.';
COMMENT ON COLUMN marts.labour_force_replacement.source_tables IS 'The publishers'' tables whose age bands were summed.';
COMMENT ON COLUMN marts.labour_force_replacement.vintage IS 'The newest Stand of the figures.';
COMMENT ON COLUMN marts.labour_force_replacement.ref_date IS 'Reference day of the population figures.';

-- The population of each age range of meta.age_ranges per region and reference date, summed from
-- the age bands of one table at a time: the bands that overlap the range must lie inside it (single
-- years, or groups whose borders fall on the range's), leave no gap and all have a number. Bands of
-- two tables are never mixed; where several tables give the range, the most authoritative source
-- wins, then the newest vintage.
-- A table, computed once per build: every per-age rate reads it.
CREATE TABLE marts.population_by_age_range AS
WITH bands AS (
    SELECT
        source_table, precedence, vintage, region_code, region_name, region_level, state, ref_date, age_from,
        age_to_or_open AS age_to, value, census_basis, synthetic
    FROM core.population_age_bands
),
by_table AS (
    SELECT
        r.age_from, r.age_to, any_value(r.label) AS ages, b.source_table, b.region_code, b.ref_date,
        any_value(b.region_name) AS region_name, any_value(b.region_level) AS region_level,
        any_value(b.state) AS state, min(b.precedence) AS precedence, max(b.vintage) AS vintage,
        sum(b.value) AS population, bool_or(b.synthetic) AS synthetic,
        core.basis_list(b.census_basis) AS census_basis
    FROM bands AS b
    JOIN meta.age_ranges AS r ON b.age_to >= r.age_from AND b.age_from <= coalesce(r.age_to, 999)
    GROUP BY r.age_from, r.age_to, b.source_table, b.region_code, b.ref_date
    HAVING bool_and(b.age_from >= r.age_from AND b.age_to <= coalesce(r.age_to, 999))
       AND sum(b.age_to - b.age_from + 1) = coalesce(r.age_to, 999) - r.age_from + 1
       AND count(b.value) = count(*)
)
SELECT
    region_code, region_name, region_level, state, ref_date, age_from, age_to, ages, population, census_basis,
    source_table, vintage, synthetic
FROM by_table
QUALIFY row_number() OVER (
    PARTITION BY region_code, ref_date, age_from, age_to ORDER BY precedence, vintage DESC, source_table
) = 1
ORDER BY region_code, ref_date, age_from, age_to;

COMMENT ON TABLE marts.population_by_age_range IS
    'Persons of each age range of meta.age_ranges per region and reference date, from the age bands of one table that tile the range; the denominators of the per-age-group rates.';
COMMENT ON COLUMN marts.population_by_age_range.ages IS 'The range as from-to or from+ (years of age).';
COMMENT ON COLUMN marts.population_by_age_range.population IS 'Persons of the range on the reference date.';
COMMENT ON COLUMN marts.population_by_age_range.census_basis IS 'The census the figure stands on.';
COMMENT ON COLUMN marts.population_by_age_range.source_table IS 'The publisher''s table whose age bands were summed.';

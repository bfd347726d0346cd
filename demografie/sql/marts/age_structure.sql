-- Age structure per region and reference date, computed from the age bands of one table at a time
-- (classifications differ: single years, 17 groups, ...; bands of two tables are never mixed). A
-- share is given only where the table's bands cover every age without gap or overlap, every band
-- has a number, and no band crosses the border of the share (e.g. 80+ is not derivable from a
-- table whose last band is 75+). Where several tables qualify, the one giving the most figures
-- wins, then the most authoritative source.
-- A table, computed once per build: the year-end totals, the indicators and the report read it.
CREATE TABLE marts.age_structure AS
WITH bands AS (
    SELECT
        o.source, o.source_table, o.region_code, o.region_name, o.region_level, o.state, o.ref_date,
        o.age_from, o.age_to_or_open AS age_to, o.value, o.vintage, o.synthetic, o.census_basis, o.precedence,
        o.age_from - lag(o.age_to_or_open) OVER table_bands AS step,
        sum(o.value) OVER (table_bands ROWS UNBOUNDED PRECEDING) AS cumulative
    FROM core.population_age_bands AS o
    WINDOW table_bands AS (PARTITION BY o.source_table, o.region_code, o.ref_date ORDER BY o.age_from)
),
per_table AS (
    SELECT
        source, source_table, region_code, ref_date,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic, min(precedence) AS precedence,
        -- one basis per table and date; a mix (a partly re-delivered table) is named, never hidden
        core.basis_list(census_basis) AS census_basis,
        min(age_from) = 0 AND max(age_to) = 999 AND count(*) FILTER (WHERE step <> 1) = 0
            AND count(value) = count(*) AS complete,
        sum(value) AS population,
        sum(value) FILTER (WHERE age_to <= 19) AS under_20,
        sum(value) FILTER (WHERE age_from >= 15 AND age_to <= 64) AS age_15_64,
        sum(value) FILTER (WHERE age_from >= 20 AND age_to <= 64) AS age_20_64,
        sum(value) FILTER (WHERE age_from >= 65) AS age_65_plus,
        sum(value) FILTER (WHERE age_from >= 80) AS age_80_plus,
        bool_and(age_to < 15 OR age_from >= 15) AS border_15,
        bool_and(age_to < 20 OR age_from >= 20) AS border_20,
        bool_and(age_to < 65 OR age_from >= 65) AS border_65,
        bool_and(age_to < 80 OR age_from >= 80) AS border_80,
        -- a table of single years (its oldest ages may be grouped)
        count(*) FILTER (WHERE age_to = age_from) >= 60 AS single_years
    FROM bands
    GROUP BY ALL
),
medians AS (
    SELECT
        b.source_table, b.region_code, b.ref_date,
        -- in the first year of age that reaches half the population, interpolated within it
        arg_min(b.age_from + (t.population / 2 - (b.cumulative - b.value)) / nullif(b.value, 0), b.age_from) AS median_age
    FROM bands AS b
    JOIN per_table AS t USING (source_table, region_code, ref_date)
    WHERE t.complete AND t.single_years AND b.cumulative >= t.population / 2
    GROUP BY ALL
    -- exact only where the middle person falls into a single year of age
    HAVING arg_min(b.age_to = b.age_from, b.age_from)
),
computed AS (
    SELECT
        t.*,
        CASE WHEN complete AND border_20 THEN round(100 * under_20 / nullif(population, 0), 3) END AS share_under_20,
        CASE WHEN complete AND border_20 AND border_65 THEN round(100 * age_20_64 / nullif(population, 0), 3) END AS share_20_64,
        CASE WHEN complete AND border_65 THEN round(100 * age_65_plus / nullif(population, 0), 3) END AS share_65_plus,
        CASE WHEN complete AND border_80 THEN round(100 * age_80_plus / nullif(population, 0), 3) END AS share_80_plus,
        CASE WHEN complete AND border_20 AND border_65 THEN round(100 * under_20 / nullif(age_20_64, 0), 3) END
            AS youth_dependency_ratio,
        CASE WHEN complete AND border_20 AND border_65 THEN round(100 * age_65_plus / nullif(age_20_64, 0), 3) END
            AS old_age_dependency_ratio,
        CASE WHEN complete AND border_15 AND border_65 THEN age_15_64 END AS working_age_population,
        round(m.median_age, 2) AS median_age
    FROM per_table AS t
    LEFT JOIN medians AS m USING (source_table, region_code, ref_date)
    WHERE t.complete
)
SELECT
    c.region_code, c.region_name, c.region_level, c.state, s.settlement_type, c.ref_date,
    c.population,
    CASE WHEN c.border_20 THEN c.under_20 END AS under_20,
    CASE WHEN c.border_20 AND c.border_65 THEN c.age_20_64 END AS age_20_64,
    CASE WHEN c.border_65 THEN c.age_65_plus END AS age_65_plus,
    CASE WHEN c.border_80 THEN c.age_80_plus END AS age_80_plus,
    c.share_under_20, c.share_20_64, c.share_65_plus, c.share_80_plus,
    c.youth_dependency_ratio, c.old_age_dependency_ratio, c.working_age_population, c.median_age,
    c.census_basis, c.source, c.source_table, c.vintage, c.synthetic
FROM computed AS c
LEFT JOIN core.region_settlement AS s USING (region_code)
QUALIFY row_number() OVER (
    PARTITION BY c.region_code, c.ref_date
    ORDER BY (c.median_age IS NOT NULL)::INT + (c.share_80_plus IS NOT NULL)::INT
             + (c.working_age_population IS NOT NULL)::INT + (c.share_65_plus IS NOT NULL)::INT DESC,
             c.precedence, c.vintage DESC, c.source_table
) = 1
ORDER BY c.region_code, c.ref_date;

COMMENT ON TABLE marts.age_structure IS
    'Age structure per region and reference date (all sexes and nationalities), from the age bands of one source table: shares of age groups, dependency ratios (per 100 persons aged 20-64), working-age population (15-64) and the median age where single years are published.';
COMMENT ON COLUMN marts.age_structure.population IS 'Persons: the sum of the table''s age bands.';
COMMENT ON COLUMN marts.age_structure.under_20 IS 'Persons aged under 20.';
COMMENT ON COLUMN marts.age_structure.age_20_64 IS 'Persons aged 20 to 64.';
COMMENT ON COLUMN marts.age_structure.age_65_plus IS 'Persons aged 65 and over.';
COMMENT ON COLUMN marts.age_structure.age_80_plus IS 'Persons aged 80 and over (NULL where the bands do not separate 80).';
COMMENT ON COLUMN marts.age_structure.share_under_20 IS 'Percent of the population aged under 20 (within one date: unaffected by a census re-basing).';
COMMENT ON COLUMN marts.age_structure.share_20_64 IS 'Percent of the population aged 20 to 64.';
COMMENT ON COLUMN marts.age_structure.share_65_plus IS 'Percent of the population aged 65 and over.';
COMMENT ON COLUMN marts.age_structure.share_80_plus IS 'Percent of the population aged 80 and over (NULL where the table''s bands do not separate 80).';
COMMENT ON COLUMN marts.age_structure.youth_dependency_ratio IS 'Persons under 20 per 100 persons aged 20 to 64 (Jugendquotient; within one date: unaffected by a census re-basing).';
COMMENT ON COLUMN marts.age_structure.old_age_dependency_ratio IS 'Persons 65 and over per 100 persons aged 20 to 64 (Altenquotient; within one date: unaffected by a census re-basing).';
COMMENT ON COLUMN marts.age_structure.working_age_population IS 'Persons aged 15 to 64.';
COMMENT ON COLUMN marts.age_structure.median_age IS 'Years; half the population is younger. Interpolated within the year of age that holds the middle person; only from tables of single years.';
COMMENT ON COLUMN marts.age_structure.census_basis IS 'The census the age bands stand on (see marts.population.census_basis). Shares and ratios within one date are unaffected by a re-basing; compare them across a census day knowing the basis changed.';
COMMENT ON COLUMN marts.age_structure.source IS 'Publisher of the age bands used.';
COMMENT ON COLUMN marts.age_structure.source_table IS 'The publisher''s table whose age bands were used.';

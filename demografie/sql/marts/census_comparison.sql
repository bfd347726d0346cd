-- Census counts next to the Fortschreibung: per region and census day, the count (published, or
-- for a table without Kreis and Land rows such as the Zensus 2022 Gemeinde table, the sum of its
-- Gemeinden), the Fortschreibung on the old basis nearest the census day (what the count
-- corrected) and the first Fortschreibung figure on the census' own basis.
CREATE VIEW marts.census_comparison AS
WITH counts AS (
    SELECT region_code, region_level, region_name, state, ref_date AS census_day, census_basis, value, status,
           source, source_table, vintage, synthetic
    FROM core.valid_observations
    WHERE measure = 'population_census' AND sex = 'total' AND nationality = 'total'
      AND age_from IS NULL AND age_to IS NULL AND census_basis IS NOT NULL AND core.schema_breakdown(source_dims)
),
gemeinde_sums AS (
    -- a Gemeinde with a symbol other than '-' (nothing) makes the sum unknown rather than too small
    SELECT
        left(c.region_code, l.digits) AS region_code, l.level AS region_level, c.state, c.census_day,
        c.census_basis, c.source, c.source_table,
        CASE WHEN count(*) FILTER (WHERE c.status IS NOT NULL AND c.status <> '-') = 0 THEN sum(c.value) END AS value,
        max(c.vintage) AS vintage, bool_or(c.synthetic) AS synthetic, count(c.value) AS regions_used
    FROM counts AS c
    CROSS JOIN (VALUES (5, 'kreis'), (2, 'land')) AS l(digits, level)
    WHERE c.region_level = 'gemeinde'
    GROUP BY ALL
),
all_counts AS (
    SELECT * EXCLUDE (status), 'published' AS derivation, 1 AS regions_used FROM counts
    UNION ALL BY NAME
    SELECT s.*, 'sum_of_gemeinden' AS derivation, r.region_name
    FROM gemeinde_sums AS s
    LEFT JOIN (SELECT region_code, any_value(region_name) AS region_name FROM core.regions GROUP BY ALL) AS r
      USING (region_code)
    WHERE NOT EXISTS (
        SELECT 1 FROM counts AS p
        WHERE p.region_code = s.region_code AND p.census_day = s.census_day AND p.source_table = s.source_table
    )
),
bases AS (
    SELECT basis, census_day, unnest(string_split(states, ',')) AS state FROM meta.census_bases
),
previous_basis AS (
    SELECT b.basis, b.state, arg_max(p.basis, p.census_day) AS previous
    FROM bases AS b
    JOIN bases AS p ON p.state = b.state AND p.census_day < b.census_day
    GROUP BY b.basis, b.state
),
old_basis AS (
    SELECT c.region_code, c.census_day, c.source_table, f.value, f.ref_date, f.source_table AS table_used
    FROM all_counts AS c
    JOIN previous_basis AS b ON b.basis = c.census_basis AND b.state = c.state
    JOIN core.population_totals AS f ON f.region_code = c.region_code AND f.census_basis = b.previous
    QUALIFY row_number() OVER (
        PARTITION BY c.region_code, c.census_day, c.source_table
        ORDER BY abs(f.ref_date - c.census_day), f.ref_date DESC, f.precedence, f.vintage DESC
    ) = 1
),
new_basis AS (
    SELECT c.region_code, c.census_day, c.source_table, f.value, f.ref_date, f.source_table AS table_used
    FROM all_counts AS c
    JOIN core.population_totals AS f
      ON f.region_code = c.region_code AND f.census_basis = c.census_basis AND f.ref_date >= c.census_day
    QUALIFY row_number() OVER (
        PARTITION BY c.region_code, c.census_day, c.source_table
        ORDER BY f.ref_date, f.precedence, f.vintage DESC
    ) = 1
)
SELECT
    c.region_code, c.region_name, c.region_level, c.state, c.census_day, c.census_basis,
    c.value AS census_count, c.derivation, c.regions_used,
    o.value AS fortschreibung_old_basis, o.ref_date AS fortschreibung_old_basis_date,
    o.table_used AS fortschreibung_old_basis_table,
    c.value - o.value AS correction,
    round(100 * (c.value / nullif(o.value, 0) - 1), 3) AS correction_percent,
    n.value AS fortschreibung_new_basis, n.ref_date AS fortschreibung_new_basis_date,
    n.table_used AS fortschreibung_new_basis_table,
    c.source, c.source_table, c.vintage, c.synthetic
FROM all_counts AS c
LEFT JOIN old_basis AS o USING (region_code, census_day, source_table)
LEFT JOIN new_basis AS n USING (region_code, census_day, source_table)
ORDER BY c.census_day, c.region_code, c.source_table;

COMMENT ON VIEW marts.census_comparison IS
    'Census counts (Zensus 2011, Zensus 2022) per region next to the population Fortschreibung: the old-basis figure nearest the census day (what the census corrected) and the first figure on the census'' own basis. Kreis and Land counts of a Gemeinde table are summed from its Gemeinden (derivation). See docs/census-bases.md.';
COMMENT ON COLUMN marts.census_comparison.region_code IS 'AGS prefix: 2 digits Land, 5 Kreis, 8 Gemeinde (the Zensus 2022 ARS without its Gemeindeverband).';
COMMENT ON COLUMN marts.census_comparison.region_name IS 'The region''s name as published (for a sum: as our reference names it).';
COMMENT ON COLUMN marts.census_comparison.census_day IS 'The census day (Zensus 2011: 9 May 2011; Zensus 2022: 15 May 2022).';
COMMENT ON COLUMN marts.census_comparison.census_basis IS 'The census itself (zensus2011, zensus2022): a census count is its own basis.';
COMMENT ON COLUMN marts.census_comparison.census_count IS 'Persons counted by the census; NULL where a Gemeinde of the sum was secret or unknown.';
COMMENT ON COLUMN marts.census_comparison.derivation IS 'published = the publisher''s row; sum_of_gemeinden = our sum of the table''s Gemeinden.';
COMMENT ON COLUMN marts.census_comparison.regions_used IS 'How many Gemeinden with a number went into a sum (1 for a published row).';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_old_basis IS 'The Fortschreibung on the previous basis nearest the census day (the figure the census replaced), any vintage.';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_old_basis_date IS 'Reference date of fortschreibung_old_basis.';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_old_basis_table IS 'The publisher''s table of fortschreibung_old_basis.';
COMMENT ON COLUMN marts.census_comparison.correction IS 'Persons: census_count - fortschreibung_old_basis (the dates may differ by weeks; see the date).';
COMMENT ON COLUMN marts.census_comparison.correction_percent IS 'The correction in percent of fortschreibung_old_basis.';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_new_basis IS 'The first Fortschreibung figure on the census'' own basis (on or after the census day).';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_new_basis_date IS 'Reference date of fortschreibung_new_basis.';
COMMENT ON COLUMN marts.census_comparison.fortschreibung_new_basis_table IS 'The publisher''s table of fortschreibung_new_basis.';
COMMENT ON COLUMN marts.census_comparison.source IS 'Publisher of the census count: regio (Zensus 2011 tables) or zensus (the Zensus 2022 database).';
COMMENT ON COLUMN marts.census_comparison.source_table IS 'The publisher''s table of the census count.';
COMMENT ON COLUMN marts.census_comparison.vintage IS 'The publisher''s Stand of the census count.';

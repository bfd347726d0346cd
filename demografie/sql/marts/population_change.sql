-- Population change over 1, 5 and 10 years to each reference date (all sexes, ages and
-- nationalities), never silently across a census re-basing or between source tables that do not
-- carry the same series (docs/census-bases.md):
--   direct  both figures on one census basis, from one source table or from two tables that
--           publish the same figure for this region on some common date;
--   linked  the earlier figure on another basis, chain-linked at an overlap date for which the
--           warehouse holds the region's figure on both bases (two vintages of one date): the
--           growth on the old basis up to the overlap times the growth on the new basis after it;
--   break   an earlier figure exists, but no such overlap (or only an unrelated table): NULL.
-- Land figures summed from their Kreise count like published ones (core.population_totals).
CREATE VIEW marts.population_change AS
WITH in_force AS (
    SELECT * FROM core.population_totals WHERE in_force
),
chosen AS (
    SELECT * FROM in_force
    QUALIFY row_number() OVER (
        PARTITION BY region_code, ref_date
        ORDER BY precedence, derivation = 'sum_of_kreise', vintage DESC, source_table
    ) = 1
),
-- Two tables carry the same series for a region where they publish the same figure on the same
-- basis for some date; every table carries its own.
same_series AS (
    SELECT DISTINCT a.region_code, a.source_table AS table_a, b.source_table AS table_b
    FROM core.population_totals AS a
    JOIN core.population_totals AS b
      ON b.region_code = a.region_code AND b.ref_date = a.ref_date
     AND b.census_basis = a.census_basis AND b.value = a.value
),
targets AS (
    SELECT c.*, h.years, CAST(c.ref_date - to_years(h.years) AS DATE) AS before_date
    FROM chosen AS c
    CROSS JOIN (VALUES (1), (5), (10)) AS h(years)
),
direct AS (
    SELECT
        t.region_code, t.ref_date, t.years, b.value AS before_value, b.census_basis AS before_basis,
        b.source_table AS before_table, t.value - b.value AS change,
        round(100 * (t.value / nullif(b.value, 0) - 1), 3) AS change_percent,
        'direct' AS method, CAST(NULL AS DATE) AS link_date
    FROM targets AS t
    JOIN same_series AS s ON s.region_code = t.region_code AND s.table_a = t.source_table
    JOIN in_force AS b
      ON b.region_code = t.region_code AND b.ref_date = t.before_date
     AND b.source_table = s.table_b AND b.census_basis = t.census_basis
    QUALIFY row_number() OVER (
        PARTITION BY t.region_code, t.ref_date, t.years
        ORDER BY b.source_table <> t.source_table, b.precedence, b.source_table
    ) = 1
),
linked AS (
    SELECT
        t.region_code, t.ref_date, t.years, b.value AS before_value, b.census_basis AS before_basis,
        b.source_table AS before_table,
        t.value - b.value * new_link.value / old_link.value AS change,
        round(100 * (old_link.value / b.value * t.value / new_link.value - 1), 3) AS change_percent,
        'linked' AS method, old_link.ref_date AS link_date
    FROM targets AS t
    JOIN in_force AS b
      ON b.region_code = t.region_code AND b.ref_date = t.before_date AND b.census_basis <> t.census_basis
    JOIN same_series AS so ON so.region_code = t.region_code AND so.table_a = b.source_table
    JOIN core.population_totals AS old_link
      ON old_link.region_code = t.region_code AND old_link.source_table = so.table_b
     AND old_link.census_basis = b.census_basis AND old_link.ref_date BETWEEN t.before_date AND t.ref_date
    JOIN same_series AS sn ON sn.region_code = t.region_code AND sn.table_a = t.source_table
    JOIN core.population_totals AS new_link
      ON new_link.region_code = t.region_code AND new_link.source_table = sn.table_b
     AND new_link.census_basis = t.census_basis AND new_link.ref_date = old_link.ref_date
    WHERE b.value > 0 AND old_link.value > 0 AND new_link.value > 0
      AND NOT EXISTS (
        SELECT 1 FROM direct AS d WHERE d.region_code = t.region_code AND d.ref_date = t.ref_date AND d.years = t.years
      )
    QUALIFY row_number() OVER (
        PARTITION BY t.region_code, t.ref_date, t.years
        ORDER BY old_link.ref_date, b.source_table <> t.source_table, b.precedence, b.source_table,
                 old_link.source_table, new_link.source_table
    ) = 1
),
breaks AS (
    SELECT
        t.region_code, t.ref_date, t.years, b.value AS before_value, b.census_basis AS before_basis,
        b.source_table AS before_table, CAST(NULL AS DOUBLE) AS change, CAST(NULL AS DOUBLE) AS change_percent,
        'break' AS method, CAST(NULL AS DATE) AS link_date
    FROM targets AS t
    JOIN chosen AS b ON b.region_code = t.region_code AND b.ref_date = t.before_date
    WHERE NOT EXISTS (
        SELECT 1 FROM direct AS d WHERE d.region_code = t.region_code AND d.ref_date = t.ref_date AND d.years = t.years
    ) AND NOT EXISTS (
        SELECT 1 FROM linked AS l WHERE l.region_code = t.region_code AND l.ref_date = t.ref_date AND l.years = t.years
    )
),
changes AS (
    SELECT * FROM direct UNION ALL SELECT * FROM linked UNION ALL SELECT * FROM breaks
)
SELECT
    c.region_code, c.region_name, c.region_level, c.state, r.settlement_type, c.ref_date,
    c.value AS population, c.census_basis, c.derivation,
    max(x.before_value) FILTER (WHERE x.years = 1) AS population_1y_before,
    max(x.before_basis) FILTER (WHERE x.years = 1) AS population_1y_before_basis,
    max(x.before_table) FILTER (WHERE x.years = 1) AS population_1y_before_source_table,
    max(x.change) FILTER (WHERE x.years = 1) AS change_1y,
    max(x.change_percent) FILTER (WHERE x.years = 1) AS change_1y_percent,
    max(x.method) FILTER (WHERE x.years = 1) AS change_1y_method,
    max(x.link_date) FILTER (WHERE x.years = 1) AS change_1y_link_date,
    max(x.before_value) FILTER (WHERE x.years = 5) AS population_5y_before,
    max(x.before_basis) FILTER (WHERE x.years = 5) AS population_5y_before_basis,
    max(x.before_table) FILTER (WHERE x.years = 5) AS population_5y_before_source_table,
    max(x.change) FILTER (WHERE x.years = 5) AS change_5y,
    max(x.change_percent) FILTER (WHERE x.years = 5) AS change_5y_percent,
    max(x.method) FILTER (WHERE x.years = 5) AS change_5y_method,
    max(x.link_date) FILTER (WHERE x.years = 5) AS change_5y_link_date,
    max(x.before_value) FILTER (WHERE x.years = 10) AS population_10y_before,
    max(x.before_basis) FILTER (WHERE x.years = 10) AS population_10y_before_basis,
    max(x.before_table) FILTER (WHERE x.years = 10) AS population_10y_before_source_table,
    max(x.change) FILTER (WHERE x.years = 10) AS change_10y,
    max(x.change_percent) FILTER (WHERE x.years = 10) AS change_10y_percent,
    max(x.method) FILTER (WHERE x.years = 10) AS change_10y_method,
    max(x.link_date) FILTER (WHERE x.years = 10) AS change_10y_link_date,
    c.source_table, c.vintage, c.synthetic
FROM chosen AS c
LEFT JOIN changes AS x ON x.region_code = c.region_code AND x.ref_date = c.ref_date
LEFT JOIN core.region_settlement AS r ON r.region_code = c.region_code
GROUP BY ALL
ORDER BY c.region_code, c.ref_date;

COMMENT ON VIEW marts.population_change IS
    'Population change per region over 1, 5 and 10 years to each reference date (same day of the year; all sexes, ages, nationalities), never silently across a census re-basing: change_Ny_method says whether the change is direct (one basis), linked (chain-linked at change_Ny_link_date, where the warehouse holds both bases) or a break (NULL). Land figures summed from their Kreise count like published ones. See docs/census-bases.md.';
COMMENT ON COLUMN marts.population_change.population IS 'Persons on ref_date (the figure in force, from the most authoritative source).';
COMMENT ON COLUMN marts.population_change.census_basis IS 'The census the ref_date figure stands on (zensus2022, zensus2011, vz1987, register1990, ...).';
COMMENT ON COLUMN marts.population_change.derivation IS 'published = the publisher''s figure; sum_of_kreise = a Land figure summed from every Kreis of the table.';
COMMENT ON COLUMN marts.population_change.population_1y_before IS 'Persons one year earlier (same day), as published on its own basis.';
COMMENT ON COLUMN marts.population_change.population_1y_before_source_table IS 'The publisher''s table of population_1y_before.';
COMMENT ON COLUMN marts.population_change.population_1y_before_basis IS 'The census basis of population_1y_before.';
COMMENT ON COLUMN marts.population_change.change_1y IS 'Persons on the basis of ref_date: direct, population - population_1y_before; linked, population - population_1y_before carried to the new basis at the link date. NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_1y_percent IS 'Percent change over one year (linked: the product of the growth on each basis). NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_1y_method IS 'direct (both figures on one basis and one series), linked (chain-linked across a re-basing at change_1y_link_date) or break (no overlap known: NULL). NULL where no earlier figure is held.';
COMMENT ON COLUMN marts.population_change.change_1y_link_date IS 'For a linked change: the reference date at which the warehouse holds the region''s figure on both bases.';
COMMENT ON COLUMN marts.population_change.population_5y_before IS 'Persons five years earlier (same day), as published on its own basis.';
COMMENT ON COLUMN marts.population_change.population_5y_before_source_table IS 'The publisher''s table of population_5y_before.';
COMMENT ON COLUMN marts.population_change.population_5y_before_basis IS 'The census basis of population_5y_before.';
COMMENT ON COLUMN marts.population_change.change_5y IS 'Persons on the basis of ref_date (see change_1y). NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_5y_percent IS 'Percent change over five years (see change_1y_percent). NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_5y_method IS 'direct, linked or break (see change_1y_method).';
COMMENT ON COLUMN marts.population_change.change_5y_link_date IS 'For a linked change: the date that carries both bases.';
COMMENT ON COLUMN marts.population_change.population_10y_before IS 'Persons ten years earlier (same day), as published on its own basis.';
COMMENT ON COLUMN marts.population_change.population_10y_before_source_table IS 'The publisher''s table of population_10y_before.';
COMMENT ON COLUMN marts.population_change.population_10y_before_basis IS 'The census basis of population_10y_before.';
COMMENT ON COLUMN marts.population_change.change_10y IS 'Persons on the basis of ref_date (see change_1y). NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_10y_percent IS 'Percent change over ten years (see change_1y_percent). NULL for a break.';
COMMENT ON COLUMN marts.population_change.change_10y_method IS 'direct, linked or break (see change_1y_method).';
COMMENT ON COLUMN marts.population_change.change_10y_link_date IS 'For a linked change: the date that carries both bases.';
COMMENT ON COLUMN marts.population_change.source_table IS 'The publisher''s table of the ref_date figure.';
COMMENT ON COLUMN marts.population_change.vintage IS 'The publisher''s Stand of the ref_date figure.';

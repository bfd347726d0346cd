-- Total population (all sexes, ages and nationalities) of every region, date and source table on
-- every census basis it was published on: the latest version on each basis, the one in force or
-- one it replaced (a re-based series keeps its old-basis version here). A table without a Land
-- row gets the sum of the state's Kreise on a basis where every Kreis that existed on the date
-- has a number. The base of marts.population_change: changes are computed between figures of one
-- basis, and linked across a re-basing only at a date that carries both.
CREATE TABLE core.population_totals AS
WITH figures AS (
    SELECT *
    FROM core.observations
    JOIN (SELECT name AS dataset, precedence FROM meta.datasets) USING (dataset)
    WHERE measure = 'population' AND sex = 'total' AND nationality = 'total'
      AND age_from IS NULL AND age_to IS NULL AND value IS NOT NULL
      AND census_basis IS NOT NULL AND core.schema_breakdown(source_dims)
      AND (region_code, ref_date) IN (SELECT (region_code, ref_date) FROM core.valid_region_dates)
),
per_basis AS (
    SELECT
        region_code, any_value(region_level) AS region_level, arg_max(region_name, (valid_from, region_name)) AS region_name,
        any_value(state) AS state, ref_date, source, source_table, census_basis,
        arg_max(value, valid_from) AS value,
        max(valid_from) AS vintage,
        arg_max(valid_to IS NULL, valid_from) AS in_force,
        bool_or(synthetic) AS synthetic,
        'published' AS derivation,
        any_value(precedence) AS precedence
    FROM figures
    GROUP BY region_code, ref_date, source, source_table, census_basis
),
expected_kreise AS (
    SELECT d.state, d.ref_date, count(r.region_code) AS kreise
    FROM (SELECT DISTINCT state, ref_date FROM per_basis WHERE region_level = 'kreis') AS d
    JOIN core.regions AS r
      ON r.state = d.state AND r.region_level = 'kreis' AND r.in_reference
     AND (r.valid_from IS NULL OR r.valid_from <= d.ref_date) AND (r.valid_to IS NULL OR d.ref_date <= r.valid_to)
    GROUP BY ALL
),
kreis_sums AS (
    SELECT
        k.state AS region_code, 'land' AS region_level, NULL AS region_name, k.state, k.ref_date,
        k.source, k.source_table, k.census_basis,
        sum(k.value) AS value, max(k.vintage) AS vintage, bool_and(k.in_force) AS in_force,
        bool_or(k.synthetic) AS synthetic, 'sum_of_kreise' AS derivation, any_value(k.precedence) AS precedence
    FROM per_basis AS k
    JOIN expected_kreise AS e ON e.state = k.state AND e.ref_date = k.ref_date
    WHERE k.region_level = 'kreis'
    GROUP BY k.state, k.ref_date, k.source, k.source_table, k.census_basis, e.kreise
    HAVING count(*) = e.kreise
)
SELECT * FROM per_basis
UNION ALL BY NAME
SELECT s.* REPLACE (coalesce(r.region_name, s.state) AS region_name)
FROM kreis_sums AS s
LEFT JOIN (SELECT DISTINCT region_code, region_name FROM core.regions WHERE region_level = 'land') AS r
  ON r.region_code = s.region_code
WHERE NOT EXISTS (
    SELECT 1 FROM per_basis AS p
    WHERE p.region_code = s.region_code AND p.ref_date = s.ref_date
      AND p.source_table = s.source_table AND p.census_basis = s.census_basis
)
ORDER BY region_code, ref_date, source_table, census_basis;

COMMENT ON TABLE core.population_totals IS
    'Total population per region, date and source table on each census basis it was published on (the latest version per basis, in force or replaced), with Land figures summed from complete Kreise where a table has no Land row. The base of marts.population_change.';
COMMENT ON COLUMN core.population_totals.census_basis IS 'The census the figure stands on (see core.observations.census_basis).';
COMMENT ON COLUMN core.population_totals.vintage IS 'The publisher''s Stand of this version (for a sum: the newest among the Kreise).';
COMMENT ON COLUMN core.population_totals.in_force IS 'TRUE for the version in force; FALSE for one a later vintage replaced (e.g. the old-basis figure of a re-based date).';
COMMENT ON COLUMN core.population_totals.precedence IS 'The source''s precedence (meta.datasets; lower wins), for choosing among tables.';
COMMENT ON COLUMN core.population_totals.derivation IS 'published = the publisher''s row; sum_of_kreise = our sum of every Kreis that existed on the date.';

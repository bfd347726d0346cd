-- The census basis of a figure follows from its table, its date and its vintage: the newest
-- census of the state on or before the date whose re-basing the publisher had released by the
-- vintage (reference/census_bases.csv, census_rebasings.csv). Census counts are their own basis.
-- A table of its own, built first from the lake's distinct keys (a join with a CTE of the
-- versions below would compute their window twice: twice the build time at 2.5 M versions).
CREATE TEMP TABLE basis_lookup AS
WITH basis_keys AS (
    SELECT DISTINCT dataset, measure, source, state, ref_date, vintage FROM lake_observations
),
bases AS (
    SELECT
        k.*,
        CASE
            WHEN d.census_basis IS NULL THEN NULL
            WHEN NOT (list_contains(d.census_measures, k.measure) OR list_contains(d.census_measures, '*')) THEN NULL
            WHEN d.census_basis = 'census' THEN (
                SELECT any_value(c.basis) FROM census_bases AS c WHERE c.state = k.state AND c.census_day = k.ref_date
            )
            WHEN d.census_basis = 'fortschreibung' THEN (
                SELECT arg_max(c.basis, c.census_day)
                FROM census_bases AS c
                LEFT JOIN census_rebasings AS r ON r.basis = c.basis AND r.source = k.source
                WHERE c.state = k.state AND c.census_day <= k.ref_date
                  AND (r.first_vintage IS NULL OR k.vintage >= CAST(r.first_vintage AS TIMESTAMP))
            )
        END AS census_basis
    FROM basis_keys AS k
    LEFT JOIN catalog_datasets AS d ON d.name = k.dataset
)
SELECT * FROM bases;

-- How many deliveries of each table the lake holds. A table of one delivery needs no versioning:
-- every row is its observation's only version (a delivery that repeats an identity is refused
-- when it is staged), so its rows skip the windows below, which cost most of the build.
CREATE TEMP TABLE table_deliveries AS
SELECT source, source_table, count(*) AS deliveries FROM manifest_entries GROUP BY ALL;

-- Every version of every observation. A delivery that repeats a figure unchanged adds no version;
-- a changed value, symbol or quality mark adds one. valid_from is the publisher's vintage of the
-- version, valid_to the vintage that replaced it (NULL while current).
CREATE TABLE core.observations AS
WITH repeated AS (
    SELECT *
    FROM lake_observations
    WHERE (source, source_table) IN (SELECT (source, source_table) FROM table_deliveries WHERE deliveries > 1)
),
ordered AS (
    SELECT
        *,
        lag(value) OVER identity AS previous_value,
        lag(status) OVER identity AS previous_status,
        lag(quality) OVER identity AS previous_quality,
        row_number() OVER identity AS delivery_number
    FROM repeated
    WINDOW identity AS (
        PARTITION BY source, source_table, source_measure, region_code, ref_date, source_dims
        ORDER BY vintage, retrieved_at
    )
),
versions AS (
    SELECT * EXCLUDE (previous_value, previous_status, previous_quality, delivery_number)
    FROM ordered
    WHERE delivery_number = 1
       OR value IS DISTINCT FROM previous_value
       OR status IS DISTINCT FROM previous_status
       OR quality IS DISTINCT FROM previous_quality
),
versioned AS (
    SELECT
        *,
        lead(vintage) OVER (
            PARTITION BY source, source_table, source_measure, region_code, ref_date, source_dims
            ORDER BY vintage, retrieved_at
        ) AS valid_to
    FROM versions
    UNION ALL BY NAME
    SELECT *, CAST(NULL AS TIMESTAMP) AS valid_to
    FROM lake_observations
    WHERE (source, source_table) IN (SELECT (source, source_table) FROM table_deliveries WHERE deliveries = 1)
)
SELECT
    v.dataset, v.measure, v.region_code, v.region_level, v.region_name, v.state, v.ref_date, v.period_type,
    v.sex, v.age_from, v.age_to, v.nationality, v.value, v.unit, v.status, v.quality,
    v.source, v.source_table, v.source_measure, v.source_dims,
    v.vintage, v.retrieved_at, v.load_id, v.synthetic, b.census_basis,
    v.vintage AS valid_from,
    v.valid_to
FROM versioned AS v
JOIN basis_lookup AS b USING (dataset, measure, source, state, ref_date, vintage);
-- Not sorted: the rows of a table of one delivery keep the lake's order (one file per delivery,
-- each in the publisher's order), and sorting every column of 16 M versions was two thirds of
-- this step (28 of 41 s, spilling). Queries that need an order say so.

COMMENT ON TABLE core.observations IS
    'Every version of every published figure (one row per observation and vintage in which it changed). Read core.current_observations or the marts for the figures in force.';
COMMENT ON COLUMN core.observations.value IS 'The publisher''s figure; NULL where a symbol was printed (see status).';
COMMENT ON COLUMN core.observations.status IS 'The publisher''s symbol instead of a number: - nothing/zero or region not existing, . secret/unknown, ... not yet available, / not reliable enough, x locked, () limited informative value.';
COMMENT ON COLUMN core.observations.vintage IS 'The publisher''s Stand of the table (publisher local time) in which this version appeared.';
COMMENT ON COLUMN core.observations.valid_to IS 'The vintage that replaced this version; NULL while it is current.';
COMMENT ON COLUMN core.observations.census_basis IS
    'The census on which the figure stands (zensus2022, zensus2011, vz1987 and older in the West, register1990 in the East), from its date and its vintage: a figure published before its publisher re-based the series keeps the old basis. A census count is its own basis. NULL for figures that stand on no census (births, moves, employees, unemployment). See docs/census-bases.md.';

CREATE VIEW core.current_observations AS
SELECT * EXCLUDE (valid_to) FROM core.observations WHERE valid_to IS NULL;

COMMENT ON VIEW core.current_observations IS 'The latest version of every observation.';

-- Whether a figure's classifying variables are all ones the shared schema expresses (sex,
-- nationality, age, month); a figure split further (e.g. by protection status) is not a total.
CREATE MACRO core.schema_breakdown(dims) AS
    len(list_filter(map_keys(dims), lambda k: k NOT IN ('GES', 'NAT', 'MONAT') AND NOT starts_with(k, 'ALT'))) = 0;

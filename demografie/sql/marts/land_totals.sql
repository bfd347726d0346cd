-- One Land figure per state, measure, date and breakdown: the published Land row where the
-- delivery has one, otherwise the sum of the state's Kreise. Regierungsbezirke and Gemeinden are
-- never added in, so no level is counted twice. A Kreis sum is only given when every Kreis has a
-- number or '-' (nothing); any other symbol ('.', '/', ...) makes the sum unknown, and so does a
-- date where every Kreis is '-' (a Stichtag not yet filled at Kreis level). Only Kreise that
-- existed on the date are added, and classifying variables beyond the shared schema
-- (source_dims) are kept apart, never summed over. Projections are no Land figures of the past:
-- they have marts of their own (marts.population_projection).
CREATE VIEW marts.land_totals AS
WITH current AS (
    SELECT o.*
    FROM core.valid_observations AS o
    JOIN meta.datasets AS d ON d.name = o.dataset
    WHERE o.region_level IN ('land', 'kreis') AND NOT d.projection
),
published AS (
    SELECT
        dataset, measure, unit, state, ref_date, period_type, sex, age_from, age_to, nationality,
        source, source_table, source_dims, value, status, 'published' AS derivation, 1 AS regions_used,
        vintage, synthetic, census_basis
    FROM current
    WHERE region_level = 'land'
),
summed AS (
    SELECT
        dataset, measure, unit, state, ref_date, period_type, sex, age_from, age_to, nationality,
        source, source_table, source_dims,
        CASE WHEN count(*) FILTER (WHERE status IS NOT NULL AND status <> '-') = 0 AND count(value) > 0
             THEN sum(value) END AS value,
        CASE WHEN count(*) FILTER (WHERE status IS NOT NULL AND status <> '-') > 0 THEN '.'
             WHEN count(value) = 0 THEN '-' END AS status,
        'sum_of_kreise' AS derivation,
        count(value) AS regions_used,
        max(vintage) AS vintage,
        bool_or(synthetic) AS synthetic,
        core.basis_list(census_basis) AS census_basis
    FROM current
    WHERE region_level = 'kreis'
    GROUP BY ALL
)
SELECT * FROM published
UNION ALL
SELECT s.* FROM summed AS s
WHERE NOT EXISTS (
    SELECT 1 FROM published AS p
    WHERE p.dataset = s.dataset AND p.measure = s.measure AND p.state = s.state
      AND p.ref_date = s.ref_date AND p.sex = s.sex AND p.nationality = s.nationality
      AND p.source_table = s.source_table AND p.source_dims = s.source_dims
      AND p.age_from IS NOT DISTINCT FROM s.age_from AND p.age_to IS NOT DISTINCT FROM s.age_to
);

COMMENT ON VIEW marts.land_totals IS
    'Land totals of the Länder the warehouse holds (meta.states): the published Land figure, or the sum of the Kreise where the table carries no Land row (derivation says which).';
COMMENT ON COLUMN marts.land_totals.dataset IS 'The catalog dataset (one publisher table; see meta.datasets).';
COMMENT ON COLUMN marts.land_totals.measure IS 'Harmonised measure, e.g. population, employees.';
COMMENT ON COLUMN marts.land_totals.unit IS 'Unit of the value (count, percent, ...).';
COMMENT ON COLUMN marts.land_totals.ref_date IS 'Reference day (or last day of the period).';
COMMENT ON COLUMN marts.land_totals.period_type IS 'stichtag, year, quarter or month.';
COMMENT ON COLUMN marts.land_totals.age_from IS 'First year of age of the band (inclusive); NULL with age_to NULL: all ages.';
COMMENT ON COLUMN marts.land_totals.source_dims IS 'Further classifying variables of the table (code -> attribute code), kept apart, never summed over.';
COMMENT ON COLUMN marts.land_totals.census_basis IS 'The census the figure stands on (for a sum: that of its Kreise, two joined by + where they differ); NULL for figures that stand on no census.';
COMMENT ON COLUMN marts.land_totals.source_table IS 'The publisher''s table.';
COMMENT ON COLUMN marts.land_totals.value IS 'The Land figure; NULL where unknown (see status).';
COMMENT ON COLUMN marts.land_totals.status IS 'A symbol when there is no number: the Land row''s own, ''.'' when a Kreis is secret, ''-'' when every Kreis is ''-''.';
COMMENT ON COLUMN marts.land_totals.vintage IS 'The publisher''s Stand (for a sum: the newest among the Kreise).';
COMMENT ON COLUMN marts.land_totals.derivation IS 'published = the publisher''s Land row; sum_of_kreise = our sum of the state''s Kreise.';
COMMENT ON COLUMN marts.land_totals.regions_used IS 'How many Kreise with a number went into a sum (1 for a published row).';

-- One column of each kind per Land the warehouse holds (meta.states): a line naming {state},
-- {column} or {name} is written once per Land when the warehouse is built (sqlfiles.per_state).
CREATE VIEW marts.state_comparison AS
SELECT
    dataset, source, source_table, measure, unit, ref_date, period_type, sex, age_from, age_to, nationality,
    source_dims,
    max(value) FILTER (WHERE state = '{state}') AS {column},
    max(derivation) FILTER (WHERE state = '{state}') AS {column}_derivation,
    max(vintage) AS vintage,
    max(census_basis) FILTER (WHERE state = '{state}') AS {column}_census_basis,
    bool_or(synthetic) AS synthetic
FROM marts.land_totals
GROUP BY ALL
ORDER BY dataset, measure, ref_date, sex, nationality;

COMMENT ON VIEW marts.state_comparison IS 'The Länder of the warehouse (meta.states) side by side, one row per measure, date and breakdown; marts.land_totals holds the same figures one row per Land.';
COMMENT ON COLUMN marts.state_comparison.dataset IS 'The catalog dataset (one publisher table; see meta.datasets).';
COMMENT ON COLUMN marts.state_comparison.measure IS 'Harmonised measure, e.g. population, employees.';
COMMENT ON COLUMN marts.state_comparison.unit IS 'Unit of the value (count, percent, ...).';
COMMENT ON COLUMN marts.state_comparison.ref_date IS 'Reference day (or last day of the period).';
COMMENT ON COLUMN marts.state_comparison.period_type IS 'stichtag, year, quarter or month.';
COMMENT ON COLUMN marts.state_comparison.age_from IS 'First year of age of the band (inclusive); NULL with age_to NULL: all ages.';
COMMENT ON COLUMN marts.state_comparison.source_dims IS 'Further classifying variables of the table (code -> attribute code), kept apart, never summed over.';
COMMENT ON COLUMN marts.state_comparison.{column} IS 'The Land figure of {name} (see marts.land_totals).';
COMMENT ON COLUMN marts.state_comparison.{column}_derivation IS 'published or sum_of_kreise, for {name}.';
COMMENT ON COLUMN marts.state_comparison.{column}_census_basis IS 'The census the figure of {name} stands on (NULL: none).';
COMMENT ON COLUMN marts.state_comparison.source_table IS 'The publisher''s table.';
COMMENT ON COLUMN marts.state_comparison.vintage IS 'The publisher''s Stand (the newest of the Länder''s figures).';

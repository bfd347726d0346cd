-- One Land figure per state, measure, date and breakdown: the published Land row where the
-- delivery has one, otherwise the sum of the state's Kreise. Regierungsbezirke and Gemeinden are
-- never added in, so no level is counted twice. A Kreis sum is only given when every Kreis has a
-- number or '-' (nothing); any other symbol ('.', '/', ...) makes the sum unknown, and so does a
-- date where every Kreis is '-' (a Stichtag not yet filled at Kreis level). Only Kreise that
-- existed on the date are added, and classifying variables beyond the shared schema
-- (source_dims) are kept apart, never summed over.
CREATE VIEW marts.land_totals AS
WITH current AS (
    SELECT * FROM core.valid_observations WHERE region_level IN ('land', 'kreis')
),
published AS (
    SELECT
        dataset, measure, unit, state, ref_date, period_type, sex, age_from, age_to, nationality,
        source, source_table, source_dims, value, status, 'published' AS derivation, 1 AS regions_used,
        vintage, synthetic
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
        bool_or(synthetic) AS synthetic
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
    'Land totals of Hessen (06) and Sachsen (14): the published Land figure, or the sum of the Kreise where the table carries no Land row (derivation says which).';
COMMENT ON COLUMN marts.land_totals.derivation IS 'published = the publisher''s Land row; sum_of_kreise = our sum of the state''s Kreise.';
COMMENT ON COLUMN marts.land_totals.regions_used IS 'How many Kreise with a number went into a sum (1 for a published row).';

CREATE VIEW marts.state_comparison AS
SELECT
    dataset, measure, unit, ref_date, period_type, sex, age_from, age_to, nationality, source_dims,
    max(value) FILTER (WHERE state = '06') AS hessen,
    max(value) FILTER (WHERE state = '14') AS sachsen,
    max(derivation) FILTER (WHERE state = '06') AS hessen_derivation,
    max(derivation) FILTER (WHERE state = '14') AS sachsen_derivation,
    bool_or(synthetic) AS synthetic
FROM marts.land_totals
GROUP BY ALL
ORDER BY dataset, measure, ref_date, sex, nationality;

COMMENT ON VIEW marts.state_comparison IS 'Hessen and Sachsen side by side, one row per measure, date and breakdown.';

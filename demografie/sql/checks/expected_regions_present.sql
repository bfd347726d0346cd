-- severity: warning
-- Every Kreis that existed on a date is in each Kreis table for that date and state (a missing
-- Kreis makes every sum over Kreise too small; the marts then give no Land value).
WITH delivered AS (
    SELECT DISTINCT o.source_table, o.state, o.ref_date
    FROM core.current_observations AS o
    JOIN meta.datasets AS d ON d.name = o.dataset
    WHERE o.region_level = 'kreis' AND d.level = 'kreise'
),
expected AS (
    SELECT d.source_table, d.state, d.ref_date, r.region_code, r.region_name
    FROM delivered AS d
    JOIN core.regions AS r
      ON r.state = d.state AND r.region_level = 'kreis' AND r.in_reference
     AND (r.valid_from IS NULL OR r.valid_from <= d.ref_date) AND (r.valid_to IS NULL OR d.ref_date <= r.valid_to)
)
SELECT e.source_table, e.state, e.ref_date, e.region_code AS missing_kreis, e.region_name
FROM expected AS e
WHERE NOT EXISTS (
    -- valid_observations: Hamburg and Berlin printed as their Land stand for their Kreis
    SELECT 1 FROM core.valid_observations AS o
    WHERE o.source_table = e.source_table AND o.ref_date = e.ref_date AND o.region_code = e.region_code
)

-- severity: warning
-- Where a table publishes both the Land and all its Kreise, the Kreise add up to the Land
-- (counts only; a difference of more than 0.1 % is reported).
WITH current AS (
    SELECT * FROM core.valid_observations WHERE unit = 'count' AND region_level IN ('land', 'kreis')
),
land AS (
    SELECT source_table, source_measure, state, ref_date, source_dims, value FROM current
    WHERE region_level = 'land' AND value IS NOT NULL
),
kreise AS (
    SELECT source_table, source_measure, state, ref_date, source_dims, sum(value) AS value,
           count(*) FILTER (WHERE status IS NOT NULL AND status <> '-') AS unknown
    FROM current WHERE region_level = 'kreis'
    GROUP BY ALL
)
SELECT l.source_table, l.source_measure, l.state, l.ref_date, l.source_dims, l.value AS land, k.value AS sum_of_kreise
FROM land AS l
JOIN kreise AS k USING (source_table, source_measure, state, ref_date, source_dims)
WHERE k.unknown = 0 AND k.value IS NOT NULL AND abs(k.value - l.value) > greatest(0.5, 0.001 * l.value)

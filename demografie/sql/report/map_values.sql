-- One indicator per Kreis on one date, as numerator and denominator, so that a Kreis merged for the
-- map is summed, never averaged; of the Länder $states. Without $ref_date: the newest date with
-- figures of all of them (else the newest), so that the Länder side by side show the same day.
WITH dates AS (
    SELECT ref_date, count(DISTINCT state) AS states
    FROM marts.indicators
    WHERE indicator = $indicator AND list_contains($states, state)
    GROUP BY ref_date
),
chosen AS (
    SELECT coalesce(
        CAST($ref_date AS DATE),
        (SELECT max(ref_date) FILTER (WHERE states = len($states)) FROM dates),
        (SELECT max(ref_date) FROM dates)
    ) AS ref_date
)
SELECT i.region_code, i.region_name, i.state, i.numerator, i.denominator, i.factor, i.unit, i.ref_date,
       i.census_basis, i.synthetic, coalesce(d.title, i.indicator) AS title
FROM marts.indicators AS i
CROSS JOIN chosen AS c
LEFT JOIN meta.indicators AS d USING (indicator)
WHERE i.indicator = $indicator AND i.ref_date = c.ref_date AND list_contains($states, i.state)
ORDER BY i.region_code

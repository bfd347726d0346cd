-- Population change of every Kreis of the Länder $states to the newest date (per Land) that has a
-- change, each Kreis under its group $groups; breaks (NULL changes) stay in, so that the chart can
-- name the Kreise it leaves out.
WITH kreise AS (
    SELECT * FROM marts.population_change WHERE region_level = 'kreis' AND list_contains($states, state)
),
latest AS (
    SELECT state, max(ref_date) AS ref_date FROM kreise WHERE change_1y_percent IS NOT NULL GROUP BY state
)
SELECT marts.state_group($states, $groups, k.state) AS state, k.region_code, k.region_name, k.settlement_type,
       k.ref_date, k.census_basis, k.change_1y_percent, k.change_1y_method, k.change_1y_link_date,
       k.change_5y_percent, k.change_5y_method, k.change_5y_link_date, k.synthetic
FROM kreise AS k JOIN latest USING (state, ref_date)
ORDER BY k.state, k.region_code

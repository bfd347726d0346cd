-- Population change of every Kreis to the newest date that has a change, per state.
WITH changes AS (
    SELECT * FROM marts.population_change WHERE region_level = 'kreis' AND change_1y_percent IS NOT NULL
),
latest AS (SELECT state, max(ref_date) AS ref_date FROM changes GROUP BY state)
SELECT c.state, c.region_code, c.region_name, c.settlement_type, c.ref_date,
       c.change_1y_percent, c.change_5y_percent, c.synthetic
FROM changes AS c JOIN latest USING (state, ref_date)
ORDER BY c.state, coalesce(c.change_5y_percent, c.change_1y_percent)

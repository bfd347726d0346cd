-- The published unemployment rate of the Länder $states, year by year.
SELECT state, year, unemployment_rate, synthetic
FROM marts.labour_market
WHERE region_level = 'land' AND list_contains($states, state) AND unemployment_rate IS NOT NULL
ORDER BY state, year

-- The published unemployment rate of both Länder, year by year.
SELECT state, year, unemployment_rate, synthetic
FROM marts.labour_market
WHERE region_level = 'land' AND unemployment_rate IS NOT NULL
ORDER BY state, year

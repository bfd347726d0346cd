-- The published unemployment rate of the Länder $states, year by year; only of a Land that is a
-- group $groups of its own: rates of several Länder cannot be added up.
SELECT marts.state_group($states, $groups, state) AS state, year, unemployment_rate, synthetic
FROM marts.labour_market
WHERE region_level = 'land' AND list_contains($states, state) AND unemployment_rate IS NOT NULL
  AND marts.group_size($groups, marts.state_group($states, $groups, state)) = 1
ORDER BY state, year

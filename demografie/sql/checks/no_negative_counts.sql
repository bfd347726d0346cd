-- severity: error
-- Stocks of persons are never negative (balances such as net migration may be).
SELECT source_table, region_code, ref_date, sex, nationality, measure, value
FROM core.current_observations
WHERE unit = 'count' AND value < 0
  AND measure IN (
      'population', 'population_census', 'employees', 'employees_residence', 'unemployed',
      'unemployed_severely_disabled', 'unemployed_long_term', 'live_births', 'deaths',
      'moves_in', 'moves_out', 'protection_seekers', 'municipalities'
  )

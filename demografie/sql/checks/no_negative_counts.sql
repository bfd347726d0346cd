-- severity: error
-- Stocks and flows of persons are never negative (balances such as net migration may be). The
-- measures come from guards.NEVER_NEGATIVE, which refuses such a delivery before its commit.
SELECT source_table, region_code, ref_date, sex, nationality, measure, value
FROM core.current_observations
WHERE unit IN ('count', 'thousand') AND value < 0
  AND measure IN (SELECT measure FROM never_negative_measures)

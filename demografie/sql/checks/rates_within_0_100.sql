-- severity: error
-- Shares and rates in percent lie between 0 and 100, as published and as derived here (a value
-- outside is a misread decimal mark or a broken derivation). Percent changes may be negative, and
-- an uncatalogued table's percent values are the publisher's (changes, differences), not known shares.
SELECT 'core' AS relation, source_table, region_code, ref_date, measure, value
FROM core.current_observations
WHERE unit = 'percent' AND measure NOT LIKE '%change%' AND (value < 0 OR value > 100)
  AND dataset NOT IN (SELECT name FROM meta.datasets WHERE NOT harmonised)
UNION ALL
SELECT 'marts.age_structure', source_table, region_code, ref_date, 'shares', NULL
FROM marts.age_structure
WHERE least(share_under_20, share_20_64, share_65_plus, share_80_plus) < 0
   OR greatest(share_under_20, share_20_64, share_65_plus, share_80_plus) > 100
UNION ALL
SELECT 'marts.labour_market', source_tables, region_code, make_date(year, 6, 30), 'foreign_share_employees',
       foreign_share_employees
FROM marts.labour_market
WHERE foreign_share_employees < 0 OR foreign_share_employees > 100

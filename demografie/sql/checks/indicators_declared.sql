-- severity: error
-- Every indicator marts.indicators computes is declared in meta.indicators (sql/meta/indicators.sql):
-- without its declaration it has no theme, unit or factor, so no value.
SELECT DISTINCT indicator AS undeclared_indicator
FROM marts.indicators
WHERE theme IS NULL OR unit IS NULL OR factor IS NULL

-- The regions the data carries, with the latest published name and the span of dates they have
-- a figure for (a dissolved region keeps its rows, filled with '-', so "with_value" matters).
CREATE TABLE core.regions AS
SELECT
    region_code,
    arg_max(region_name, vintage) AS region_name,
    any_value(region_level) AS region_level,
    any_value(state) AS state,
    min(ref_date) FILTER (WHERE value IS NOT NULL) AS first_date_with_value,
    max(ref_date) FILTER (WHERE value IS NOT NULL) AS last_date_with_value
FROM core.current_observations
GROUP BY region_code
ORDER BY region_code;

COMMENT ON TABLE core.regions IS 'Regions present in the data, latest name, dates with figures.';

-- Every indicator per Kreis as numerator and denominator, so that Land and settlement-type values
-- are computed as sum(numerator) / sum(denominator) over their Kreise, never as an average of
-- rates. A table, computed once per build: it reads nearly every mart, and the comparison, the
-- report and the maps each read it again. Theme, unit and factor come from the declaration of each
-- indicator (meta.indicators).
CREATE TABLE marts.indicators AS
WITH kreise_age AS (SELECT * FROM marts.age_structure WHERE region_level = 'kreis'),
     kreise_movement AS (SELECT * FROM marts.movement WHERE region_level = 'kreis'),
     kreise_labour AS (SELECT * FROM marts.labour_market WHERE region_level = 'kreis'),
     kreise_change AS (SELECT * FROM marts.population_change WHERE region_level = 'kreis'),
     kreise_life_phase AS (SELECT * FROM marts.migration_by_life_phase WHERE region_level = 'kreis'),
     kreise_replacement AS (SELECT * FROM marts.labour_force_replacement WHERE region_level = 'kreis'),
     kreise_qualification AS (SELECT * FROM marts.employees_by_qualification WHERE region_level = 'kreis'),
     kreise_schools AS (SELECT * FROM marts.schools WHERE region_level = 'kreis'),
     kreise_services AS (SELECT * FROM marts.services WHERE region_level = 'kreis'),
computed AS (
    SELECT * FROM (
        SELECT 'share_under_20' AS indicator, region_code, region_name, state,
               settlement_type, ref_date, under_20 AS numerator, population AS denominator, source_table AS sources,
               vintage, synthetic, census_basis FROM kreise_age
        UNION ALL
        SELECT 'share_65_plus', region_code, region_name, state, settlement_type, ref_date,
               age_65_plus, population, source_table, vintage, synthetic, census_basis FROM kreise_age
        UNION ALL
        SELECT 'share_80_plus', region_code, region_name, state, settlement_type, ref_date,
               age_80_plus, population, source_table, vintage, synthetic, census_basis FROM kreise_age
        UNION ALL
        SELECT 'youth_dependency_ratio', region_code, region_name, state, settlement_type,
               ref_date, under_20, age_20_64, source_table, vintage, synthetic, census_basis FROM kreise_age
        UNION ALL
        SELECT 'old_age_dependency_ratio', region_code, region_name, state, settlement_type,
               ref_date, age_65_plus, age_20_64, source_table, vintage, synthetic, census_basis FROM kreise_age
        UNION ALL
        SELECT 'population_change_5y', region_code, region_name, state, settlement_type, ref_date,
               change_5y, population - change_5y, source_table, vintage, synthetic, census_basis FROM kreise_change
        UNION ALL
        SELECT 'natural_balance_per_1000', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), natural_balance, population, source_tables, vintage, synthetic,
               population_census_basis
        FROM kreise_movement
        UNION ALL
        SELECT 'net_migration_per_1000', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), net_migration, population, source_tables, vintage, synthetic,
               population_census_basis
        FROM kreise_movement
        UNION ALL
        SELECT 'employees_workplace_per_1000', region_code, region_name, state,
               settlement_type, make_date(year, 6, 30), employees_workplace, working_age_population, source_tables,
               vintage, synthetic, working_age_census_basis FROM kreise_labour
        UNION ALL
        SELECT 'employees_residence_per_1000', region_code, region_name, state,
               settlement_type, make_date(year, 6, 30), employees_residence, working_age_population, source_tables,
               vintage, synthetic, working_age_census_basis FROM kreise_labour
        UNION ALL
        SELECT 'commuter_balance_per_1000', region_code, region_name, state,
               settlement_type, make_date(year, 6, 30), commuter_balance, working_age_population, source_tables,
               vintage, synthetic, working_age_census_basis FROM kreise_labour
        UNION ALL
        SELECT 'foreign_share_employees', region_code, region_name, state, settlement_type,
               make_date(year, 6, 30), employees_workplace_foreign, employees_workplace, source_tables, vintage, synthetic, NULL
        FROM kreise_labour
        UNION ALL
        SELECT 'unemployed_per_1000', region_code, region_name, state, settlement_type,
               make_date(year, 12, 31), unemployed, working_age_population, source_tables, vintage, synthetic,
               working_age_census_basis FROM kreise_labour
        UNION ALL
        SELECT 'net_migration_' || life_phase || '_per_1000', region_code, region_name,
               state, settlement_type, make_date(year, 12, 31), net_migration, population, source_tables, vintage,
               synthetic, population_census_basis
        FROM kreise_life_phase
        UNION ALL
        SELECT 'replacement_ratio_15_19_per_60_64', region_code, region_name, state,
               settlement_type, ref_date, age_15_19, age_60_64, source_tables, vintage, synthetic, census_basis
        FROM kreise_replacement
        UNION ALL
        SELECT 'replacement_ratio_15_24_per_55_64', region_code, region_name, state,
               settlement_type, ref_date, age_15_24, age_55_64, source_tables, vintage, synthetic, census_basis
        FROM kreise_replacement
        UNION ALL
        SELECT 'employees_without_vocational_share' || CASE counted_at WHEN 'residence' THEN '_residence' ELSE '' END, region_code, region_name, state, settlement_type, ref_date, without_vocational, employees,
               source_tables, vintage, synthetic, NULL
        FROM kreise_qualification
        UNION ALL
        SELECT 'employees_vocational_share' || CASE counted_at WHEN 'residence' THEN '_residence' ELSE '' END, region_code, region_name, state, settlement_type, ref_date, vocational, employees,
               source_tables, vintage, synthetic, NULL
        FROM kreise_qualification
        UNION ALL
        SELECT 'employees_academic_share' || CASE counted_at WHEN 'residence' THEN '_residence' ELSE '' END, region_code, region_name, state, settlement_type, ref_date, academic, employees,
               source_tables, vintage, synthetic, NULL
        FROM kreise_qualification
        UNION ALL
        SELECT 'school_leavers_without_hsa_per_100', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), school_leavers_without_hsa, school_leavers, source_tables,
               vintage, synthetic, NULL
        FROM kreise_schools
        UNION ALL
        SELECT 'vocational_pupils_per_1000_15_24', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), vocational_pupils, population_15_24,
               concat_ws(', ', source_tables, population_source_table), vintage, synthetic, population_census_basis
        FROM kreise_schools
        UNION ALL
        SELECT 'daycare_places_per_100_under_6', region_code, region_name, state,
               settlement_type, daycare_date, daycare_places, children_under_6, source_tables, vintage, synthetic,
               children_census_basis
        FROM kreise_services
        UNION ALL
        SELECT 'care_recipients_per_1000_65_plus', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), care_recipients, population_65_plus, source_tables, vintage,
               synthetic, population_65_plus_census_basis
        FROM kreise_services
        UNION ALL
        SELECT 'hospital_beds_per_10000', region_code, region_name, state,
               settlement_type, make_date(year, 12, 31), hospital_beds, population, source_tables, vintage, synthetic,
               population_census_basis
        FROM kreise_services
    )
    WHERE numerator IS NOT NULL AND denominator IS NOT NULL AND denominator <> 0
)
SELECT d.theme, c.indicator, d.unit, d.factor, c.region_code, c.region_name, c.state, c.settlement_type, c.ref_date,
       c.numerator, c.denominator, c.sources, c.vintage, c.synthetic, c.census_basis
FROM computed AS c
LEFT JOIN meta.indicators AS d USING (indicator);

COMMENT ON TABLE marts.indicators IS
    'Every indicator per Kreis as numerator and denominator (value = factor * numerator / nullif(denominator, 0)); the base of marts.indicator_comparison.';
COMMENT ON COLUMN marts.indicators.theme IS 'The theme the indicator answers (meta.indicators).';
COMMENT ON COLUMN marts.indicators.indicator IS 'Name of the indicator, declared with its title and what it counts in meta.indicators (computed from marts.age_structure, marts.movement, marts.labour_market, marts.population_change, marts.migration_by_life_phase, marts.labour_force_replacement, marts.employees_by_qualification, marts.schools, marts.services).';
COMMENT ON COLUMN marts.indicators.unit IS 'Unit of the indicator value (meta.indicators).';
COMMENT ON COLUMN marts.indicators.factor IS 'value = factor * numerator / denominator (meta.indicators).';
COMMENT ON COLUMN marts.indicators.region_code IS 'Kreis key (5 digits).';
COMMENT ON COLUMN marts.indicators.region_name IS 'The Kreis'' name as published.';
COMMENT ON COLUMN marts.indicators.settlement_type IS 'kreisfreie_stadt or landkreis.';
COMMENT ON COLUMN marts.indicators.ref_date IS 'Reference day (for annual flows and school years: 31 December of the year; employees: 30 June; day care: its March Stichtag).';
COMMENT ON COLUMN marts.indicators.numerator IS 'Persons (hospital beds, day-care places) counted by the indicator.';
COMMENT ON COLUMN marts.indicators.denominator IS 'Persons it is related to.';
COMMENT ON COLUMN marts.indicators.sources IS 'The publishers'' tables the figures come from.';
COMMENT ON COLUMN marts.indicators.vintage IS 'The publisher''s Stand of the figures (the newest where several tables feed the indicator).';
COMMENT ON COLUMN marts.indicators.census_basis IS 'The census the population figures of the indicator stand on (NULL where none enter it). population_change_5y: its denominator is the earlier figure carried to this basis (linked changes), so breaks never enter a sum.';

-- Every indicator for groups of Länder, for the whole group and by settlement type, computed from
-- all Kreise of the group: `states` the Länder taken, `groups` the group of each (the same order),
-- e.g. (['06', '14', '16'], ['16', 'rest', 'rest']) for Thüringen against the other two. A value
-- is given only when every Kreis of the group that existed on the date has both numerator and
-- denominator. The report compares one Land against the rest with it.
-- The group of Land `state` when the Länder `states` are grouped as `groups` (the same order), and
-- how many Länder a group has: what the report's queries of one Land against the rest sum by.
CREATE MACRO marts.state_group(states, groups, state) AS groups[list_position(states, state)];
CREATE MACRO marts.group_size(groups, state_group) AS len(list_filter(groups, lambda g: g = state_group));

CREATE MACRO marts.indicator_groups(states, groups) AS TABLE
WITH areas AS (
    -- each Kreis belongs to its Land, its old split (kreisfreie_stadt / landkreis) and its BBSR type
    SELECT region_code, unnest(['land', settlement_type, settlement_structure_name]) AS area
    FROM core.region_settlement
),
kreise_expected AS (
    SELECT d.ref_date, marts.state_group(states, groups, r.state) AS state_group, a.area,
           count(DISTINCT r.region_code) AS expected
    FROM (SELECT DISTINCT ref_date FROM marts.indicators) AS d
    JOIN core.regions AS r
      ON r.region_level = 'kreis' AND r.in_reference AND list_contains(states, r.state)
     AND (r.valid_from IS NULL OR r.valid_from <= d.ref_date) AND (r.valid_to IS NULL OR d.ref_date <= r.valid_to)
    JOIN areas AS a USING (region_code)
    WHERE a.area IS NOT NULL
    GROUP BY ALL
),
members AS (
    SELECT i.theme, i.indicator, i.unit, i.factor, marts.state_group(states, groups, i.state) AS state_group,
           i.ref_date, a.area, i.numerator, i.denominator, i.sources, i.vintage, i.synthetic, i.census_basis
    FROM marts.indicators AS i
    JOIN areas AS a USING (region_code)
    WHERE a.area IS NOT NULL AND list_contains(states, i.state)
),
summed AS (
    SELECT
        g.theme, g.indicator, g.unit, g.state_group, g.ref_date, g.area,
        count(*) AS kreise,
        (SELECT sum(e.expected) FROM kreise_expected AS e
          WHERE e.state_group = g.state_group AND e.ref_date = g.ref_date AND e.area = g.area) AS kreise_expected,
        any_value(g.factor) * sum(g.numerator) / nullif(sum(g.denominator), 0) AS value,
        core.source_list(g.sources) AS sources,
        max(g.vintage) AS vintage,
        bool_or(g.synthetic) AS synthetic,
        core.basis_list(g.census_basis) AS census_basis
    FROM members AS g
    GROUP BY g.theme, g.indicator, g.unit, g.state_group, g.ref_date, g.area
)
SELECT
    theme, indicator, unit, state_group, ref_date, area,
    round(CASE WHEN kreise = kreise_expected THEN value END, 3) AS value,
    kreise, kreise_expected, sources, vintage, census_basis, synthetic
FROM summed
ORDER BY theme, indicator, ref_date, area, state_group;

-- Every Land on its own: each a group of one.
CREATE VIEW marts.indicator_areas AS
SELECT
    theme, indicator, unit, state_group AS state, ref_date, area, value, kreise, kreise_expected, sources, vintage,
    census_basis, synthetic
FROM marts.indicator_groups(
    (SELECT list(state ORDER BY state) FROM meta.states), (SELECT list(state ORDER BY state) FROM meta.states)
);

COMMENT ON VIEW marts.indicator_areas IS
    'Every indicator for each Land of the warehouse (meta.states): for the whole Land, for its kreisfreie Städte and Landkreise, and for each BBSR settlement-structure type, computed from the Kreise as factor * sum(numerator) / sum(denominator). NULL unless every Kreis of the group has the figures. marts.indicator_comparison puts the Länder side by side.';
COMMENT ON COLUMN marts.indicator_areas.indicator IS 'Name of the indicator (see marts.indicators).';
COMMENT ON COLUMN marts.indicator_areas.unit IS 'Unit of the value.';
COMMENT ON COLUMN marts.indicator_areas.value IS 'The indicator for the Land''s Kreise of the area; NULL unless every one of them has the figures.';
COMMENT ON COLUMN marts.indicator_areas.kreise IS 'Kreise of the Land and area with figures.';
COMMENT ON COLUMN marts.indicator_areas.kreise_expected IS 'Kreise of the Land and area that existed on the date (core.regions).';
COMMENT ON COLUMN marts.indicator_areas.sources IS 'The publishers'' tables the figures come from.';
COMMENT ON COLUMN marts.indicator_areas.census_basis IS 'The census the population figures stand on (two joined by + where the Kreise differ, NULL where none enters the indicator).';

-- The Länder side by side: one column of each kind per Land the warehouse holds (meta.states); a
-- line naming {state}, {column} or {name} is written once per Land when the warehouse is built.
CREATE VIEW marts.indicator_comparison AS
SELECT
    theme, indicator, unit, ref_date, area,
    max(value) FILTER (WHERE state = '{state}') AS {column},
    max(kreise) FILTER (WHERE state = '{state}') AS {column}_kreise,
    max(kreise_expected) FILTER (WHERE state = '{state}') AS {column}_kreise_expected,
    core.source_list(sources) AS sources,
    max(vintage) AS vintage,
    core.basis_list(census_basis) AS census_basis,
    bool_or(synthetic) AS synthetic
FROM marts.indicator_areas
GROUP BY theme, indicator, unit, ref_date, area
ORDER BY theme, indicator, ref_date, area;

COMMENT ON VIEW marts.indicator_comparison IS
    'Every indicator for the Länder of the warehouse (meta.states) side by side: for the whole Land, for its kreisfreie Städte and Landkreise, and for each BBSR settlement-structure type (marts.indicator_areas, one row per Land).';
COMMENT ON COLUMN marts.indicator_comparison.indicator IS 'Name of the indicator (see marts.indicators).';
COMMENT ON COLUMN marts.indicator_comparison.unit IS 'Unit of the values.';
COMMENT ON COLUMN marts.indicator_comparison.{column} IS 'The indicator for the Kreise of {name} in the area; NULL unless every one of them has the figures.';
COMMENT ON COLUMN marts.indicator_comparison.{column}_kreise IS 'Kreise of {name} with figures.';
COMMENT ON COLUMN marts.indicator_comparison.{column}_kreise_expected IS 'Kreise of {name} in the area that existed on the date.';
COMMENT ON COLUMN marts.indicator_comparison.sources IS 'The publishers'' tables the figures come from.';
COMMENT ON COLUMN marts.indicator_comparison.census_basis IS 'The census the population figures of the Länder stand on (zensus2022, zensus2011, ...; two joined by + where they differ, NULL where none enters the indicator).';

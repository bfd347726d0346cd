-- Natural movement and migration per region and year, with balances per 1,000 inhabitants (the
-- population on 31 December of the same year).
CREATE VIEW marts.movement AS
WITH figures AS (
    SELECT
        region_code,
        year(ref_date) AS year,
        core.newest_name(region_name, vintage) AS region_name,
        any_value(region_level) AS region_level,
        any_value(state) AS state,
        any_value(settlement_type) AS settlement_type,
        max(value) FILTER (WHERE measure = 'live_births') AS live_births,
        max(value) FILTER (WHERE measure = 'deaths') AS deaths,
        max(value) FILTER (WHERE measure = 'moves_in') AS moves_in,
        max(value) FILTER (WHERE measure = 'moves_out') AS moves_out,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage,
        bool_or(synthetic) AS synthetic
    FROM core.preferred_observations
    WHERE measure IN ('live_births', 'deaths', 'moves_in', 'moves_out')
      AND sex = 'total' AND nationality = 'total' AND age_from IS NULL AND age_to IS NULL
    GROUP BY region_code, year(ref_date)
),
year_end AS (
    SELECT region_code, year, population, population_census_basis AS census_basis
    FROM marts.year_end_population
    WHERE population IS NOT NULL
)
SELECT
    f.region_code, f.region_name, f.region_level, f.state, f.settlement_type, f.year,
    f.live_births, f.deaths, f.live_births - f.deaths AS natural_balance,
    f.moves_in, f.moves_out, f.moves_in - f.moves_out AS net_migration,
    p.population, p.census_basis AS population_census_basis,
    round(1000 * (f.live_births - f.deaths) / nullif(p.population, 0), 3) AS natural_balance_per_1000,
    round(1000 * (f.moves_in - f.moves_out) / nullif(p.population, 0), 3) AS net_migration_per_1000,
    f.source_tables, f.vintage, f.synthetic
FROM figures AS f
LEFT JOIN year_end AS p USING (region_code, year)
ORDER BY f.region_code, f.year;

COMMENT ON VIEW marts.movement IS
    'Live births, deaths, moves in and out per region and year, the natural and the migration balance, and both per 1,000 inhabitants (population on 31 December of the year).';
COMMENT ON COLUMN marts.movement.year IS 'Calendar year of the movement.';
COMMENT ON COLUMN marts.movement.live_births IS 'Persons born alive in the year.';
COMMENT ON COLUMN marts.movement.deaths IS 'Persons who died in the year.';
COMMENT ON COLUMN marts.movement.natural_balance IS 'Persons: live_births - deaths.';
COMMENT ON COLUMN marts.movement.moves_in IS 'Persons moving into the region (across its borders) in the year.';
COMMENT ON COLUMN marts.movement.moves_out IS 'Persons moving out of the region in the year.';
COMMENT ON COLUMN marts.movement.net_migration IS 'Persons: moves_in - moves_out.';
COMMENT ON COLUMN marts.movement.population IS 'Persons on 31 December of the year (the denominator of the rates).';
COMMENT ON COLUMN marts.movement.population_census_basis IS 'The census the population (the denominator of the per-1,000 rates) stands on; births, deaths and moves themselves stand on none.';
COMMENT ON COLUMN marts.movement.natural_balance_per_1000 IS 'natural_balance per 1,000 inhabitants.';
COMMENT ON COLUMN marts.movement.net_migration_per_1000 IS 'net_migration per 1,000 inhabitants.';
COMMENT ON COLUMN marts.movement.source_tables IS 'The publishers'' tables the movement figures come from.';

-- Who moves where: net migration by age band (e.g. young adults into the cities).
CREATE VIEW marts.net_migration_by_age AS
SELECT
    region_code,
    core.newest_name(region_name, vintage) AS region_name,
    any_value(region_level) AS region_level,
    any_value(state) AS state,
    any_value(settlement_type) AS settlement_type,
    year(ref_date) AS year,
    age_from,
    age_to,
    max(value) FILTER (WHERE measure = 'moves_in') AS moves_in,
    max(value) FILTER (WHERE measure = 'moves_out') AS moves_out,
    max(value) FILTER (WHERE measure = 'moves_in') - max(value) FILTER (WHERE measure = 'moves_out') AS net_migration,
    core.source_list(source_table) AS source_tables,
    max(vintage) AS vintage,
    bool_or(synthetic) AS synthetic
FROM core.preferred_observations
WHERE measure IN ('moves_in', 'moves_out') AND sex = 'total' AND nationality = 'total' AND age_from IS NOT NULL
GROUP BY region_code, year(ref_date), age_from, age_to
ORDER BY region_code, year, age_from;

COMMENT ON VIEW marts.net_migration_by_age IS 'Moves in and out and net migration per region, year and age band.';
COMMENT ON COLUMN marts.net_migration_by_age.year IS 'Calendar year of the moves.';
COMMENT ON COLUMN marts.net_migration_by_age.age_from IS 'First year of age of the band (inclusive).';
COMMENT ON COLUMN marts.net_migration_by_age.moves_in IS 'Persons of the band moving into the region in the year.';
COMMENT ON COLUMN marts.net_migration_by_age.moves_out IS 'Persons of the band moving out of the region in the year.';
COMMENT ON COLUMN marts.net_migration_by_age.net_migration IS 'Persons: moves_in - moves_out.';

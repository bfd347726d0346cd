-- Net migration by life phase per region and year, per 1,000 inhabitants of the phase's ages on
-- 31 December of the year (as marts.movement). The moves are the age bands of the migration tables
-- (12711-04-02-4 across Kreis borders, preferred; 12711-02-02-4 / 12711-01-03-4 across Gemeinde
-- borders: for a Kreis or a Land both give the same balance, as moves inside it cancel). The
-- population of each range of the phase is that of marts.population_by_age_range. A rate is given
-- only where every range of the phase has both its moves and its population.
CREATE VIEW marts.migration_by_life_phase AS
WITH moves AS (
    SELECT
        region_code, year(ref_date) AS year, age_from, coalesce(age_to, 999) AS age_to,
        CASE WHEN measure LIKE '%\_across\_gemeinden' ESCAPE '\' THEN 'gemeinde_borders' ELSE 'kreis_borders' END
            AS borders,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(value) FILTER (WHERE measure LIKE 'moves\_in%' ESCAPE '\') AS moves_in,
        max(value) FILTER (WHERE measure LIKE 'moves\_out%' ESCAPE '\') AS moves_out,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage,
        bool_or(synthetic) AS synthetic
    FROM core.preferred_observations
    WHERE measure IN ('moves_in', 'moves_out', 'moves_in_across_gemeinden', 'moves_out_across_gemeinden')
      AND sex = 'total' AND nationality = 'total' AND age_from IS NOT NULL
    GROUP BY ALL
),
phase_moves_by_borders AS (
    SELECT
        m.region_code, m.year, p.life_phase, m.borders,
        any_value(m.region_name) AS region_name, any_value(m.region_level) AS region_level,
        any_value(m.state) AS state,
        sum(m.moves_in) AS moves_in, sum(m.moves_out) AS moves_out,
        core.source_list(m.source_tables) AS source_tables,
        max(m.vintage) AS vintage, bool_or(m.synthetic) AS synthetic
    FROM moves AS m
    JOIN meta.life_phases AS p ON m.age_from = p.age_from AND m.age_to = coalesce(p.age_to, 999)
    GROUP BY ALL
    HAVING count(*) = (SELECT count(*) FROM meta.life_phases AS q WHERE q.life_phase = p.life_phase)
       AND count(m.moves_in) + count(m.moves_out) = 2 * count(*)
),
phase_moves AS (
    SELECT * FROM phase_moves_by_borders
    QUALIFY row_number() OVER (PARTITION BY region_code, year, life_phase ORDER BY borders DESC) = 1
),
phase_population AS (
    SELECT
        p.life_phase, r.region_code, year(r.ref_date) AS year, sum(r.population) AS population,
        core.source_list(r.source_table) AS population_source_tables,
        core.basis_list(r.census_basis) AS population_census_basis
    FROM marts.population_by_age_range AS r
    JOIN meta.life_phases AS p
      ON p.age_from = r.age_from AND p.age_to IS NOT DISTINCT FROM r.age_to
    WHERE month(r.ref_date) = 12 AND day(r.ref_date) = 31
    GROUP BY ALL
    HAVING count(*) = (SELECT count(*) FROM meta.life_phases AS q WHERE q.life_phase = p.life_phase)
)
SELECT
    m.region_code, m.region_name, m.region_level, m.state,
    s.settlement_type, s.settlement_structure, s.settlement_structure_name,
    m.year, m.life_phase,
    (SELECT string_agg(q.label, ' and ' ORDER BY q.age_from) FROM meta.life_phases AS q WHERE q.life_phase = m.life_phase)
        AS ages,
    m.moves_in, m.moves_out, m.moves_in - m.moves_out AS net_migration, m.borders AS migration_borders,
    p.population, p.population_census_basis,
    round(1000 * (m.moves_in - m.moves_out) / nullif(p.population, 0), 3) AS net_migration_per_1000,
    m.source_tables, p.population_source_tables, m.vintage, m.synthetic
FROM phase_moves AS m
LEFT JOIN phase_population AS p USING (life_phase, region_code, year)
LEFT JOIN core.region_settlement AS s USING (region_code)
ORDER BY m.region_code, m.year, m.life_phase;

COMMENT ON VIEW marts.migration_by_life_phase IS
    'Moves in and out and net migration per region, year and life phase (meta.life_phases), and net migration per 1,000 inhabitants of the phase''s ages on 31 December of the year.';
COMMENT ON COLUMN marts.migration_by_life_phase.settlement_structure_name IS 'The BBSR''s name of the type, e.g. kreisfreie Großstadt or Dünn besiedelter ländlicher Kreis.';
COMMENT ON COLUMN marts.migration_by_life_phase.year IS 'Calendar year of the moves.';
COMMENT ON COLUMN marts.migration_by_life_phase.life_phase IS 'education, career_start, families or retirement (meta.life_phases).';
COMMENT ON COLUMN marts.migration_by_life_phase.ages IS 'The age ranges the phase is made of.';
COMMENT ON COLUMN marts.migration_by_life_phase.moves_in IS 'Persons of the phase''s ages moving into the region in the year.';
COMMENT ON COLUMN marts.migration_by_life_phase.moves_out IS 'Persons of the phase''s ages moving out of the region in the year.';
COMMENT ON COLUMN marts.migration_by_life_phase.net_migration IS 'Persons: moves_in - moves_out (the numerator of the rate).';
COMMENT ON COLUMN marts.migration_by_life_phase.migration_borders IS 'kreis_borders or gemeinde_borders: which moves the table counts (the balance of a Kreis is the same).';
COMMENT ON COLUMN marts.migration_by_life_phase.population IS 'Persons of the phase''s ages on 31 December of the year (the denominator); NULL where no population table gives every range.';
COMMENT ON COLUMN marts.migration_by_life_phase.population_census_basis IS 'The census the population stands on; the moves stand on none.';
COMMENT ON COLUMN marts.migration_by_life_phase.net_migration_per_1000 IS 'net_migration per 1,000 persons of the phase''s ages.';
COMMENT ON COLUMN marts.migration_by_life_phase.source_tables IS 'The publishers'' tables the moves come from.';
COMMENT ON COLUMN marts.migration_by_life_phase.population_source_tables IS 'The publishers'' tables the population comes from.';
COMMENT ON COLUMN marts.migration_by_life_phase.vintage IS 'The newest Stand among the migration tables.';

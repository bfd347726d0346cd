-- The labour market per region and year: employees at workplace (30 June) and at residence, the
-- commuter balance, the foreign share, unemployment (annual average) and all of it per 1,000
-- inhabitants of working age (15-64, on 31 December of the year before: the latest count at the
-- Stichtag).
CREATE VIEW marts.labour_market AS
WITH figures AS (
    SELECT
        region_code,
        year(ref_date) AS year,
        core.newest_name(region_name, vintage) AS region_name,
        any_value(region_level) AS region_level,
        any_value(state) AS state,
        any_value(settlement_type) AS settlement_type,
        max(value) FILTER (WHERE measure = 'employees' AND nationality = 'total') AS employees_workplace,
        max(value) FILTER (WHERE measure = 'employees' AND nationality = 'foreign') AS employees_workplace_foreign,
        max(value) FILTER (WHERE measure = 'employees_residence' AND nationality = 'total') AS employees_residence,
        max(value) FILTER (WHERE measure = 'unemployed' AND nationality = 'total') AS unemployed,
        max(value) FILTER (WHERE measure = 'unemployment_rate' AND nationality = 'total') AS unemployment_rate,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage,
        bool_or(synthetic) AS synthetic
    FROM core.preferred_observations
    WHERE measure IN ('employees', 'employees_residence', 'unemployed', 'unemployment_rate')
      AND sex = 'total' AND age_from IS NULL AND age_to IS NULL
    GROUP BY region_code, year(ref_date)
),
working_age AS (
    SELECT region_code, year + 1 AS year, working_age_population, working_age_census_basis AS census_basis
    FROM marts.year_end_population
    WHERE working_age_population IS NOT NULL
)
SELECT
    f.region_code, f.region_name, f.region_level, f.state, f.settlement_type, f.year,
    f.employees_workplace, f.employees_residence,
    f.employees_workplace - f.employees_residence AS commuter_balance,
    f.employees_workplace_foreign,
    round(100 * f.employees_workplace_foreign / nullif(f.employees_workplace, 0), 3) AS foreign_share_employees,
    f.unemployed, f.unemployment_rate,
    w.working_age_population, w.census_basis AS working_age_census_basis,
    round(1000 * f.employees_workplace / nullif(w.working_age_population, 0), 3) AS employees_workplace_per_1000,
    round(1000 * f.employees_residence / nullif(w.working_age_population, 0), 3) AS employees_residence_per_1000,
    round(1000 * (f.employees_workplace - f.employees_residence) / nullif(w.working_age_population, 0), 3)
        AS commuter_balance_per_1000,
    round(1000 * f.unemployed / nullif(w.working_age_population, 0), 3) AS unemployed_per_1000,
    f.source_tables, f.vintage, f.synthetic
FROM figures AS f
LEFT JOIN working_age AS w USING (region_code, year)
ORDER BY f.region_code, f.year;

COMMENT ON VIEW marts.labour_market IS
    'Employees subject to social insurance at workplace (30 June) and residence, commuter balance, foreign share, unemployment (annual average) and the same per 1,000 inhabitants aged 15-64 (on 31 December of the year before), per region and year.';
COMMENT ON COLUMN marts.labour_market.year IS 'Year of the figures (employees: 30 June; unemployment: annual average).';
COMMENT ON COLUMN marts.labour_market.employees_workplace IS 'Persons employed at a workplace in the region (30 June).';
COMMENT ON COLUMN marts.labour_market.employees_residence IS 'Employed persons living in the region (30 June).';
COMMENT ON COLUMN marts.labour_market.commuter_balance IS 'Persons: employees_workplace - employees_residence (positive: more jobs than employed residents).';
COMMENT ON COLUMN marts.labour_market.employees_workplace_foreign IS 'Foreign persons employed at a workplace in the region.';
COMMENT ON COLUMN marts.labour_market.foreign_share_employees IS 'Percent of employees (workplace) with a foreign nationality.';
COMMENT ON COLUMN marts.labour_market.unemployed IS 'Unemployed persons, annual average (Bundesagentur für Arbeit).';
COMMENT ON COLUMN marts.labour_market.unemployment_rate IS 'Percent: unemployed per civilian labour force, as published (annual average).';
COMMENT ON COLUMN marts.labour_market.working_age_population IS 'Persons aged 15-64 on 31 December of the year before.';
COMMENT ON COLUMN marts.labour_market.working_age_census_basis IS 'The census the working-age population (the denominator of the per-1,000 rates) stands on; employees and unemployment stand on none.';
COMMENT ON COLUMN marts.labour_market.employees_workplace_per_1000 IS 'employees_workplace per 1,000 inhabitants aged 15-64.';
COMMENT ON COLUMN marts.labour_market.employees_residence_per_1000 IS 'employees_residence per 1,000 inhabitants aged 15-64.';
COMMENT ON COLUMN marts.labour_market.commuter_balance_per_1000 IS 'commuter_balance per 1,000 inhabitants aged 15-64.';
COMMENT ON COLUMN marts.labour_market.unemployed_per_1000 IS 'unemployed per 1,000 inhabitants aged 15-64.';

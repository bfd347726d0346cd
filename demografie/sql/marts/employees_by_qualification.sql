-- Employees subject to social insurance by vocational qualification per region and 30 June, at the
-- workplace (13111-11-04-4) and at the place of residence (13111-12-03-4). The tables have no row
-- for an unknown qualification: it is the total less the three classes.
CREATE VIEW marts.employees_by_qualification AS
WITH figures AS (
    SELECT
        region_code, ref_date,
        CASE measure WHEN 'employees_by_qualification' THEN 'workplace' ELSE 'residence' END AS counted_at,
        core.newest_name(region_name, vintage) AS region_name, any_value(region_level) AS region_level, any_value(state) AS state,
        max(value) FILTER (WHERE class = '') AS employees,
        max(value) FILTER (WHERE class = 'ohne Berufsabschluss') AS without_vocational,
        max(value) FILTER (WHERE class = 'mit anerkanntem Berufsabschluss') AS vocational,
        max(value) FILTER (WHERE class = 'mit akademischem Abschluss') AS academic,
        core.source_list(source_table) AS source_tables,
        max(vintage) AS vintage, bool_or(synthetic) AS synthetic
    FROM core.classified_observations
    WHERE measure IN ('employees_by_qualification', 'employees_residence_by_qualification')
      AND class_variable = 'BERUFAB' AND sex = 'total' AND nationality = 'total'
    GROUP BY region_code, ref_date, measure
)
SELECT
    f.region_code, f.region_name, f.region_level, f.state,
    s.settlement_type, s.settlement_structure, s.settlement_structure_name,
    f.ref_date, f.counted_at, f.employees, f.without_vocational, f.vocational, f.academic,
    f.employees - f.without_vocational - f.vocational - f.academic AS qualification_unknown,
    round(100 * f.without_vocational / nullif(f.employees, 0), 3) AS share_without_vocational,
    round(100 * f.vocational / nullif(f.employees, 0), 3) AS share_vocational,
    round(100 * f.academic / nullif(f.employees, 0), 3) AS share_academic,
    f.source_tables, f.vintage, f.synthetic
FROM figures AS f
LEFT JOIN core.region_settlement AS s USING (region_code)
ORDER BY f.region_code, f.ref_date, f.counted_at;

COMMENT ON VIEW marts.employees_by_qualification IS
    'Employees subject to social insurance by vocational qualification (without, vocational, academic, unknown) per region, 30 June and place counted, with the shares of all employees.';
COMMENT ON COLUMN marts.employees_by_qualification.ref_date IS 'The Stichtag (30 June).';
COMMENT ON COLUMN marts.employees_by_qualification.counted_at IS 'workplace (13111-11-04-4) or residence (13111-12-03-4).';
COMMENT ON COLUMN marts.employees_by_qualification.employees IS 'Persons employed, all qualifications (the denominator of the shares).';
COMMENT ON COLUMN marts.employees_by_qualification.without_vocational IS 'Persons without a vocational qualification (ohne Berufsabschluss).';
COMMENT ON COLUMN marts.employees_by_qualification.vocational IS 'Persons with a recognised vocational qualification (mit anerkanntem Berufsabschluss).';
COMMENT ON COLUMN marts.employees_by_qualification.academic IS 'Persons with an academic degree (mit akademischem Abschluss).';
COMMENT ON COLUMN marts.employees_by_qualification.qualification_unknown IS 'Persons whose qualification is not known: employees less the three classes (the tables print no row for it).';
COMMENT ON COLUMN marts.employees_by_qualification.share_without_vocational IS 'Percent of employees without a vocational qualification.';
COMMENT ON COLUMN marts.employees_by_qualification.share_vocational IS 'Percent of employees with a vocational qualification.';
COMMENT ON COLUMN marts.employees_by_qualification.share_academic IS 'Percent of employees with an academic degree.';

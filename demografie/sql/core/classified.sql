-- Figures of tables split by a classification of their own besides sex, nationality and age (the
-- school type of 21111-01-03-4, the vocational qualification of 13111-11-04-4: the catalog's
-- row_variable), which core.preferred_observations leaves out. One current figure per measure,
-- class, region, date and breakdown; the class is '' for the table's total over it.
CREATE VIEW core.classified_observations AS
WITH split AS (
    SELECT
        o.*,
        list_filter(map_keys(o.source_dims), lambda k: k NOT IN ('GES', 'NAT', 'MONAT') AND NOT starts_with(k, 'ALT'))
            AS own_variables
    FROM core.valid_observations AS o
)
SELECT s.* EXCLUDE (own_variables), s.own_variables[1] AS class_variable, s.source_dims[s.own_variables[1]] AS class
FROM split AS s
JOIN meta.datasets AS d ON d.name = s.dataset
WHERE len(s.own_variables) = 1
QUALIFY row_number() OVER (
    PARTITION BY s.measure, class_variable, class, s.region_code, s.ref_date, s.sex, s.age_from, s.age_to, s.nationality
    ORDER BY d.precedence, s.vintage DESC, s.source_table
) = 1;

COMMENT ON VIEW core.classified_observations IS
    'Current figures split by one classification of the table''s own (class_variable, class; class '''' is the total over it), one per measure, class, region, date and breakdown from the most authoritative source.';
COMMENT ON COLUMN core.classified_observations.class_variable IS 'The classifying variable (e.g. SCHULART, BERUFAB: catalog row_variable).';
COMMENT ON COLUMN core.classified_observations.class IS 'The class as published (e.g. Berufsschulen, ohne Berufsabschluss); '''' for the total.';

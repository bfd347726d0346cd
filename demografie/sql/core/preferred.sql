-- One figure per measure and breakdown the shared schema can express, from the most authoritative
-- source that carries it (meta.datasets.precedence; then the newest vintage). The base of every
-- mart, so that no mart adds up the same people from two sources.
CREATE VIEW core.preferred_observations AS
WITH candidates AS (
    SELECT
        o.*,
        r.settlement_type,
        d.precedence,
        d.precedence_reason,
        count(DISTINCT o.source_table) OVER breakdown AS sources_available
    FROM core.valid_observations AS o
    JOIN meta.datasets AS d ON d.name = o.dataset
    LEFT JOIN core.region_settlement AS r ON r.region_code = o.region_code
    -- only breakdowns the shared schema can express (no other classifying variable)
    WHERE core.schema_breakdown(o.source_dims)
    WINDOW breakdown AS (
        PARTITION BY o.measure, o.region_code, o.ref_date, o.sex, o.age_from, o.age_to, o.nationality
    )
)
SELECT * EXCLUDE (precedence)
FROM candidates
QUALIFY row_number() OVER (
    PARTITION BY measure, region_code, ref_date, sex, age_from, age_to, nationality
    ORDER BY precedence, vintage DESC, source_table
) = 1;

COMMENT ON VIEW core.preferred_observations IS
    'One current figure per measure, region, date and breakdown, from the most authoritative source that has it (precedence_reason says why); other sources stay in core.current_observations.';

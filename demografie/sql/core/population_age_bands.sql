-- The age bands of the population tables: current figures of all sexes and nationalities, not
-- split further (no other classifying variable, no month), with each table's precedence. What
-- the marts sum into age structures and age ranges, one table at a time.
CREATE VIEW core.population_age_bands AS
SELECT o.*, coalesce(o.age_to, 999) AS age_to_or_open, d.precedence
FROM core.valid_observations AS o
JOIN meta.datasets AS d ON d.name = o.dataset
WHERE o.measure = 'population' AND o.sex = 'total' AND o.nationality = 'total' AND o.age_from IS NOT NULL
  AND core.schema_breakdown(o.source_dims) AND NOT map_contains(o.source_dims, 'MONAT');

COMMENT ON VIEW core.population_age_bands IS
    'Population age bands (all sexes and nationalities, no other split) of every table, with its precedence (meta.datasets); age_to_or_open is age_to with 999 for an open-ended band.';

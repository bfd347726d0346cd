-- Population by region, date, sex, age band and nationality: one figure per breakdown, taken from
-- the most authoritative source that carries it (core.preferred_observations).
CREATE VIEW marts.population AS
SELECT
    region_code, region_name, region_level, state, settlement_type, ref_date,
    sex, age_from, age_to, nationality,
    value AS population, status, quality, source, source_table, vintage,
    precedence_reason AS chosen_because, sources_available, census_basis, synthetic
FROM core.preferred_observations
WHERE measure = 'population'
ORDER BY region_code, ref_date, sex, age_from NULLS FIRST, age_to NULLS FIRST, nationality;

COMMENT ON VIEW marts.population IS
    'Population (current vintage) by region, reference date, sex, age band and nationality; one figure per breakdown from the most authoritative source that has it. Licence per source: see meta.datasets.';
COMMENT ON COLUMN marts.population.settlement_type IS 'kreisfreie_stadt or landkreis (for a Gemeinde: of its Kreis); NULL above Kreis level.';
COMMENT ON COLUMN marts.population.ref_date IS 'Reference day (Stichtag), usually 31 December or 30 June.';
COMMENT ON COLUMN marts.population.age_from IS 'First year of age of the band (inclusive); NULL with age_to NULL: all ages.';
COMMENT ON COLUMN marts.population.age_to IS 'Last year of age of the band (inclusive); NULL: open-ended (e.g. 85 and older).';
COMMENT ON COLUMN marts.population.population IS 'Persons; NULL where the publisher printed a symbol (see status).';
COMMENT ON COLUMN marts.population.status IS 'The publisher''s symbol instead of a number (- nothing, . secret/unknown, ... not yet available, / not reliable, x locked).';
COMMENT ON COLUMN marts.population.quality IS 'The publisher''s quality mark (e.g. p provisional), if any.';
COMMENT ON COLUMN marts.population.source_table IS 'The publisher''s table this figure comes from.';
COMMENT ON COLUMN marts.population.chosen_because IS 'Why this source was preferred over the others that carry the same figure.';
COMMENT ON COLUMN marts.population.sources_available IS 'How many source tables carry this figure (the others are in core.current_observations).';
COMMENT ON COLUMN marts.population.census_basis IS 'The census the figure stands on (zensus2022, zensus2011, vz1987, register1990, ...), from its date and vintage; see core.observations.census_basis and docs/census-bases.md.';

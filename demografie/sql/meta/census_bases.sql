-- The censuses the figures stand on and when each publisher re-based its series on them, as
-- declared with their evidence in reference/census_bases.csv and census_rebasings.csv: those of
-- the Länder the warehouse holds.
CREATE TABLE meta.census_bases AS
SELECT basis, label, short_label, census_day, string_agg(state, ',' ORDER BY state) AS states, evidence
FROM census_bases
GROUP BY ALL
ORDER BY census_day;

COMMENT ON TABLE meta.census_bases IS
    'The censuses (and the East''s 1990 register) on which the population Fortschreibung stood: core.observations.census_basis names one of them. Docs: docs/census-bases.md.';
COMMENT ON COLUMN meta.census_bases.basis IS 'The key used in census_basis columns.';
COMMENT ON COLUMN meta.census_bases.census_day IS 'The census day (for the register: its Stichtag).';
COMMENT ON COLUMN meta.census_bases.states IS 'The Länder of the warehouse (meta.states) whose Fortschreibung stood on it.';
COMMENT ON COLUMN meta.census_bases.evidence IS 'Where the date comes from.';

CREATE TABLE meta.census_rebasings AS
SELECT basis, source, first_vintage, evidence FROM census_rebasings ORDER BY basis, source;

COMMENT ON TABLE meta.census_rebasings IS
    'From which vintage each publisher''s figures dated on or after a census day stand on that census; figures of older vintages keep the previous basis.';
COMMENT ON COLUMN meta.census_rebasings.first_vintage IS 'The first Stand on the new basis.';
COMMENT ON COLUMN meta.census_rebasings.evidence IS 'Where the date comes from.';

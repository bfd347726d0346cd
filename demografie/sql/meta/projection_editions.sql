-- The editions of the coordinated population projection (reference/projection_editions.csv): which
-- vintage carries which edition, and the population date and census basis it projects from.
CREATE TABLE meta.projection_editions AS
SELECT edition, name, base_date, first_vintage, census_basis, evidence
FROM reference_projection_editions
ORDER BY edition;

COMMENT ON TABLE meta.projection_editions IS
    'Editions of Destatis'' coordinated population projection (12421): a vintage from first_vintage on carries the edition.';
COMMENT ON COLUMN meta.projection_editions.edition IS 'The number of the coordinated projection (15: the 15th, 2022).';
COMMENT ON COLUMN meta.projection_editions.name IS 'The edition''s name as Destatis gives it.';
COMMENT ON COLUMN meta.projection_editions.base_date IS 'The population date the edition projects from (its base year''s 31 December).';
COMMENT ON COLUMN meta.projection_editions.first_vintage IS 'The first vintage (Stand) that carries the edition.';
COMMENT ON COLUMN meta.projection_editions.census_basis IS 'The census the base population stands on.';
COMMENT ON COLUMN meta.projection_editions.evidence IS 'Where the dates come from.';

-- The BBSR's settlement-structure Kreistypen of every Kreis of Germany (2020), read from the BBSR's
-- own file shipped in reference/: the city/countryside split of the marts and the report.
CREATE TABLE meta.settlement_structure AS
SELECT code AS region_code, bbsr_code, name, structure, structure_name, year AS classification_year, source
FROM reference_settlement_structure
ORDER BY region_code;

COMMENT ON TABLE meta.settlement_structure IS
    'BBSR siedlungsstrukturelle Kreistypen of all 401 Kreise of Germany of 2020, with the year of the classification; Kreise formed later (Hanau 06415, 2026) have none.';
COMMENT ON COLUMN meta.settlement_structure.bbsr_code IS 'The BBSR''s 8-digit Kennziffer (the AGS and 000).';
COMMENT ON COLUMN meta.settlement_structure.name IS 'The Kreis as the BBSR names it.';
COMMENT ON COLUMN meta.settlement_structure.structure IS '1 kreisfreie Großstadt, 2 städtischer Kreis, 3 ländlicher Kreis mit Verdichtungsansätzen, 4 dünn besiedelter ländlicher Kreis.';
COMMENT ON COLUMN meta.settlement_structure.structure_name IS 'The BBSR''s name of the type.';
COMMENT ON COLUMN meta.settlement_structure.classification_year IS 'The year of the classification (its Gebietsstand and data).';
COMMENT ON COLUMN meta.settlement_structure.source IS 'Publisher, product and licence.';

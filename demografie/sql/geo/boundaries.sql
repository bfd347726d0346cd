-- The administrative boundaries maps are drawn on: BKG's Verwaltungsgebiete (VG1000 or another
-- edition loaded with `demografie geodata`), the Kreise and Länder of every Land (a change of
-- DEMOGRAFIE_STATES needs no new download; the maps draw those of meta.states). Empty until an
-- edition is loaded.
CREATE TABLE geo.boundaries AS
SELECT * FROM staged_boundaries ORDER BY region_level DESC, region_code;

COMMENT ON TABLE geo.boundaries IS
    'Kreise and Länder of every Land as BKG draws them on its Gebietsstand (geo.edition), in WGS84 and simplified for display; keyed by AGS. © BKG dl-de/by-2-0.';
COMMENT ON COLUMN geo.boundaries.region_code IS 'AGS: 5 digits for a Kreis, 2 for a Land (the keys of core.regions).';
COMMENT ON COLUMN geo.boundaries.region_level IS 'kreis or land.';
COMMENT ON COLUMN geo.boundaries.name IS 'The name as BKG gives it (GEN).';
COMMENT ON COLUMN geo.boundaries.designation IS 'BKG''s designation (BEZ): Kreisfreie Stadt, Landkreis, Land, Freistaat.';
COMMENT ON COLUMN geo.boundaries.area_km2 IS 'Area in km², from the unsimplified geometry in EPSG:25832 (as generalised by the edition: VG1000 at 1:1,000,000).';
COMMENT ON COLUMN geo.boundaries.geometry IS 'GeoJSON geometry (Polygon or MultiPolygon) in WGS84 (EPSG:4326), coordinates to 5 decimals.';
COMMENT ON COLUMN geo.boundaries.product IS 'The BKG product: VG1000, VG250, VG2500, VG5000.';
COMMENT ON COLUMN geo.boundaries.gebietsstand IS 'The day whose territory the edition shows (aktualitaet.txt).';
COMMENT ON COLUMN geo.boundaries.simplified_m IS 'Tolerance in metres of the simplification for display (shapely coverage simplification: neighbours keep shared edges).';

CREATE TABLE geo.edition AS SELECT * FROM staged_edition;

COMMENT ON TABLE geo.edition IS 'The boundary edition in geo.boundaries, where it came from, and the attribution every map carries.';
COMMENT ON COLUMN geo.edition.product IS 'The BKG product.';
COMMENT ON COLUMN geo.edition.gebietsstand IS 'Its Gebietsstand.';
COMMENT ON COLUMN geo.edition.url IS 'Where it was downloaded, or the name of the file it was read from.';
COMMENT ON COLUMN geo.edition.retrieved_at IS 'When it was downloaded (or the file''s modification time).';
COMMENT ON COLUMN geo.edition.content_sha256 IS 'sha256 of the archive as received (kept in raw/bkg/).';
COMMENT ON COLUMN geo.edition.attribution IS 'The attribution BKG''s terms of use require on every public use.';

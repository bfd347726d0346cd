-- Descriptions of the columns many relations share, written once: the build gives them to every
-- column of that name in core, marts, meta and geo that has no description of its own.
SELECT * FROM (VALUES
    ('state', '06 Hessen, 14 Sachsen.'),
    ('region_level', 'land, regbez, kreis or gemeinde.'),
    ('region_name', 'The region''s name as published.'),
    ('region_code', 'AGS prefix: 2 digits Land, 3 Regierungsbezirk, 5 Kreis, 8 Gemeinde.'),
    ('sex', 'total, male or female.'),
    ('nationality', 'total, german or foreign.'),
    ('source', 'Publisher: regio, destatis, zensus, sachsen or hessen (demografie/publishers.toml).')
) AS shared(column_name, description)

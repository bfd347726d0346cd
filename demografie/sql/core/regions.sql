-- The name a region has in the newest vintage of the rows grouped (the publisher renames a Kreis, a
-- merger gives it a new name); on a tie the last name in sort order, so that a build is repeatable.
-- An aggregate: used in the GROUP BY queries of the marts.
CREATE MACRO core.newest_name(name, vintage) AS arg_max(name, (vintage, name));

-- One region dimension with validity periods: the reference of the configured Länder (package
-- data: the Land, its Kreise since 1995 and the Regierungsbezirke of Hessen and Sachsen, with the
-- periods in which they existed) joined with every region the data carries. A code can have several
-- periods (06435 before and after Hanau left it). Regions only the data knows (Gemeinden) have no
-- period: valid whenever they have data.
CREATE TABLE core.regions AS
WITH seen AS (
    SELECT
        region_code,
        core.newest_name(region_name, vintage) AS published_name,
        any_value(region_level) AS region_level,
        any_value(state) AS state,
        min(ref_date) FILTER (WHERE value IS NOT NULL) AS first_date_with_value,
        max(ref_date) FILTER (WHERE value IS NOT NULL) AS last_date_with_value
    FROM core.current_observations
    GROUP BY region_code
)
SELECT
    coalesce(r.code, s.region_code) AS region_code,
    coalesce(r.name, s.published_name) AS region_name,
    coalesce(r.level, s.region_level) AS region_level,
    left(coalesce(r.code, s.region_code), 2) AS state,
    r.valid_from,
    r.valid_to,
    r.note AS validity_note,
    r.code IS NOT NULL AS in_reference,
    s.first_date_with_value,
    s.last_date_with_value
FROM reference_regions AS r
FULL OUTER JOIN seen AS s ON r.code = s.region_code
ORDER BY region_code, valid_from NULLS FIRST;

COMMENT ON TABLE core.regions IS
    'Regions with the periods in which they existed (the Kreis reforms since 1995: Sachsen-Anhalt 2007, Sachsen 2008, Mecklenburg-Vorpommern 2011, ..., Hanau leaving the Main-Kinzig-Kreis on 1 January 2026), and the dates the data has figures for.';
COMMENT ON COLUMN core.regions.valid_from IS 'First day of this territory; NULL: before any data we load.';
COMMENT ON COLUMN core.regions.valid_to IS 'Last day of this territory; NULL: still exists.';
COMMENT ON COLUMN core.regions.in_reference IS 'FALSE for regions only the data knows (e.g. Gemeinden); they count as valid whenever they have data.';

-- Settlement type per Kreis from its official name ("kreisfreie Stadt" / "Stadtkreis" vs Landkreis
-- and Kreis), the BBSR's settlement-structure type (the main city/countryside split), and for a
-- Gemeinde those of its Kreis (the first five digits of its key).
CREATE VIEW core.region_settlement AS
WITH kreise AS (
    SELECT
        region_code AS kreis_code,
        bool_or(region_name ILIKE '%kreisfreie Stadt%' OR region_name ILIKE '%Stadtkreis%') AS city
    FROM core.regions
    WHERE region_level = 'kreis'
    GROUP BY region_code
)
SELECT
    r.region_code,
    k.kreis_code,
    CASE WHEN k.city THEN 'kreisfreie_stadt' WHEN k.city IS NOT NULL THEN 'landkreis' END AS settlement_type,
    b.structure AS settlement_structure,
    b.structure_name AS settlement_structure_name,
    b.classification_year AS settlement_structure_year
FROM (SELECT DISTINCT region_code, region_level FROM core.regions) AS r
LEFT JOIN kreise AS k ON k.kreis_code = left(r.region_code, 5) AND r.region_level IN ('kreis', 'gemeinde')
LEFT JOIN meta.settlement_structure AS b ON b.region_code = k.kreis_code;

COMMENT ON VIEW core.region_settlement IS
    'For every Kreis and Gemeinde (from its Kreis): kreisfreie_stadt or landkreis (from the official name) and the BBSR settlement-structure type; NULL for Land and Regierungsbezirk.';
COMMENT ON COLUMN core.region_settlement.settlement_structure IS 'BBSR siedlungsstruktureller Kreistyp: 1 kreisfreie Großstadt, 2 städtischer Kreis, 3 ländlicher Kreis mit Verdichtungsansätzen, 4 dünn besiedelter ländlicher Kreis (meta.settlement_structure).';
COMMENT ON COLUMN core.region_settlement.settlement_structure_year IS 'The year of the BBSR classification.';

-- Whether a region existed on a day: regions only the data knows (Gemeinden) count as existing
-- whenever they have data; reference regions within one of their periods.
CREATE MACRO core.region_existed(code, day) AS (
    NOT EXISTS (SELECT 1 FROM core.regions AS r WHERE r.region_code = code AND r.in_reference)
    OR EXISTS (
        SELECT 1 FROM core.regions AS r
        WHERE r.region_code = code AND r.in_reference
          AND (r.valid_from IS NULL OR r.valid_from <= day)
          AND (r.valid_to IS NULL OR day <= r.valid_to)
    )
);

-- The region and reference date pairs of the current observations whose region existed on that
-- date: tens of thousands of pairs, tested once per build instead of once per figure (the macro's
-- subqueries on each of 16 M rows took 28 s).
CREATE TABLE core.valid_region_dates AS
SELECT d.region_code, d.ref_date
FROM (SELECT DISTINCT region_code, ref_date FROM core.current_observations) AS d
-- qualified: the macro's subqueries have a region_code of their own
WHERE core.region_existed(d.region_code, d.ref_date);

-- A city-state that is one Kreis (Hamburg 02000, Berlin 11000: a Land of one Kreis in the
-- reference) is printed in the Regionaldatenbank's Kreis table CSVs only as its Land row (its flat
-- files carry the Kreis row too). Where a Kreis table's date lacks the Kreis row, the Land row stands
-- for it, under the Kreis's key: the same published figure, so that the Kreis marts, the indicators
-- and the maps have every Kreis. Land totals still take the Land row itself.
CREATE TABLE core.city_state_kreise AS
WITH single AS (
    SELECT left(code, 2) AS state, any_value(code) AS kreis_code, any_value(name) AS kreis_name
    FROM reference_regions
    WHERE level = 'kreis'
    GROUP BY ALL
    HAVING count(DISTINCT code) = 1
),
kreis_dates AS (
    SELECT DISTINCT source_table, ref_date, region_code FROM core.current_observations WHERE region_level = 'kreis'
)
SELECT o.* REPLACE (s.kreis_code AS region_code, 'kreis' AS region_level, s.kreis_name AS region_name)
FROM core.current_observations AS o
JOIN single AS s ON o.region_code = s.state AND o.region_level = 'land'
WHERE EXISTS (SELECT 1 FROM kreis_dates AS k WHERE k.source_table = o.source_table AND k.ref_date = o.ref_date)
  AND NOT EXISTS (
    SELECT 1 FROM kreis_dates AS k
    WHERE k.source_table = o.source_table AND k.ref_date = o.ref_date AND k.region_code = s.kreis_code
);

COMMENT ON TABLE core.city_state_kreise IS
    'The Land rows of Hamburg and Berlin (a Land of one Kreis) standing for their Kreis (02000, 11000) in the Kreis tables that print them only as a Land: the same published figures under the Kreis key (part of core.valid_observations).';

-- Current observations of regions that existed on their reference date. A dissolved region's
-- rows (the publishers fill them with '-') never reach a mart, so they can never pass for zero.
CREATE VIEW core.valid_observations AS
SELECT o.*
FROM core.current_observations AS o
SEMI JOIN core.valid_region_dates AS v ON v.region_code = o.region_code AND v.ref_date = o.ref_date
UNION ALL
SELECT * FROM core.city_state_kreise;

COMMENT ON TABLE core.valid_region_dates IS
    'Every region and reference date of the current observations on which the region existed (what core.valid_observations keeps).';

COMMENT ON VIEW core.valid_observations IS
    'core.current_observations without rows of regions that did not exist on the reference date (dissolved or not yet formed), with Hamburg''s and Berlin''s Land rows standing for their one Kreis where a Kreis table prints them only as a Land (core.city_state_kreise).';

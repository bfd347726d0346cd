-- Which published figures changed between two vintages, and by how much: one row per revision
-- (a version replaced by a newer one). A publisher may also revise figures without a new Stand
-- (restatis#83): such a revision has the same vintage on both sides, told apart by when we
-- retrieved each (same_stand).
CREATE VIEW meta.revisions AS
WITH paired AS (
    SELECT
        *,
        lag(value) OVER identity AS old_value,
        lag(status) OVER identity AS old_status,
        lag(valid_from) OVER identity AS old_vintage,
        lag(retrieved_at) OVER identity AS old_retrieved_at
    FROM core.observations
    WINDOW identity AS (
        PARTITION BY source, source_table, source_measure, region_code, ref_date, source_dims
        ORDER BY valid_from, retrieved_at
    )
)
SELECT
    dataset, measure, source, source_table, source_measure, source_dims,
    region_code, region_name, region_level, state, ref_date, sex, age_from, age_to, nationality, unit,
    old_vintage, valid_from AS new_vintage, valid_from = old_vintage AS same_stand,
    old_retrieved_at, retrieved_at AS new_retrieved_at,
    old_value, value AS new_value,
    value - old_value AS change,
    round(100 * (value - old_value) / nullif(old_value, 0), 3) AS change_percent,
    old_status, status AS new_status
FROM paired
WHERE old_vintage IS NOT NULL
ORDER BY source, source_table, region_code, ref_date, new_vintage;

COMMENT ON VIEW meta.revisions IS 'Every revision of a published figure: the old and the new vintage, value and symbol, and the change.';
COMMENT ON COLUMN meta.revisions.old_vintage IS 'The publisher''s Stand of the replaced version.';
COMMENT ON COLUMN meta.revisions.new_vintage IS 'The publisher''s Stand of the version that replaced it.';
COMMENT ON COLUMN meta.revisions.same_stand IS 'TRUE where the publisher changed the figure without a new Stand (a corrected delivery, found when the table was asked for whole again: DEMOGRAFIE_RECHECK_DAYS).';
COMMENT ON COLUMN meta.revisions.old_retrieved_at IS 'When we retrieved the replaced version.';
COMMENT ON COLUMN meta.revisions.new_retrieved_at IS 'When we retrieved the version that replaced it.';
COMMENT ON COLUMN meta.revisions.old_value IS 'The figure before the revision (NULL where a symbol was printed).';
COMMENT ON COLUMN meta.revisions.new_value IS 'The figure after the revision (NULL where a symbol was printed).';
COMMENT ON COLUMN meta.revisions.change IS 'new_value - old_value, in the unit of the figure.';
COMMENT ON COLUMN meta.revisions.change_percent IS 'The change in percent of the old value.';
COMMENT ON COLUMN meta.revisions.old_status IS 'The symbol printed instead of the old figure, if any.';
COMMENT ON COLUMN meta.revisions.new_status IS 'The symbol printed instead of the new figure, if any.';

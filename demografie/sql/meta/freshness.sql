-- How fresh each dataset held is: its newest vintage against its expected cycle
-- (meta.datasets.fresh_days). A vintage after tomorrow is a typo or a broken stamp: kept, it would
-- stay current and make the publisher answer "nothing newer" for ever. Read by the freshness
-- check and by `demografie status`, so that both say the same.
CREATE VIEW meta.freshness AS
WITH held AS (
    SELECT d.name AS dataset, d.source_table, d.fresh_days, max(l.vintage) AS newest_vintage,
           bool_and(l.synthetic) AS synthetic
    FROM meta.datasets AS d
    JOIN meta.loads AS l ON l.dataset = d.name
    GROUP BY d.name, d.source_table, d.fresh_days
)
SELECT dataset, source_table, newest_vintage, fresh_days,
       date_diff('day', newest_vintage, CAST(current_timestamp AS TIMESTAMP)) AS age_days,
       CASE WHEN newest_vintage > CAST(current_timestamp AS TIMESTAMP) + INTERVAL 1 DAY THEN 'vintage in the future'
            WHEN date_diff('day', newest_vintage, CAST(current_timestamp AS TIMESTAMP)) > fresh_days THEN 'stale'
            ELSE 'fresh' END AS state,
       synthetic
FROM held
ORDER BY dataset;

COMMENT ON VIEW meta.freshness IS 'Each dataset held: its newest vintage, its age in days today and whether that is within its expected cycle.';
COMMENT ON COLUMN meta.freshness.newest_vintage IS 'The newest publisher Stand among its deliveries.';
COMMENT ON COLUMN meta.freshness.fresh_days IS 'How old the newest vintage may be (meta.datasets.fresh_days).';
COMMENT ON COLUMN meta.freshness.age_days IS 'Days since the newest vintage, counted when the view is read.';
COMMENT ON COLUMN meta.freshness.state IS 'fresh, stale, or vintage in the future.';
COMMENT ON COLUMN meta.freshness.synthetic IS 'TRUE when every delivery of the dataset is synthetic (the demo): never checked for freshness.';

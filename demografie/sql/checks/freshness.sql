-- severity: warning
-- Each dataset we hold was refreshed within its expected cycle (meta.datasets.fresh_days): the
-- newest vintage in the lake is not older than that, and not after today (a vintage in the
-- future is a typo or a broken stamp; it would stay current and make the publisher answer
-- "nothing newer" for ever).
SELECT d.name AS dataset, d.source_table, max(l.vintage) AS newest_vintage, d.fresh_days,
       date_diff('day', max(l.vintage), CAST(current_timestamp AS TIMESTAMP)) AS age_days,
       CASE WHEN max(l.vintage) > CAST(current_timestamp AS TIMESTAMP) + INTERVAL 1 DAY
            THEN 'vintage in the future' ELSE 'stale' END AS problem
FROM meta.datasets AS d
JOIN meta.loads AS l ON l.dataset = d.name
WHERE NOT l.synthetic
GROUP BY d.name, d.source_table, d.fresh_days
HAVING date_diff('day', max(l.vintage), CAST(current_timestamp AS TIMESTAMP)) > d.fresh_days
    OR max(l.vintage) > CAST(current_timestamp AS TIMESTAMP) + INTERVAL 1 DAY

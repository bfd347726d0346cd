-- severity: warning
-- Each dataset we hold was refreshed within its expected cycle (meta.datasets.fresh_days): the
-- newest vintage in the lake is not older than that.
SELECT d.name AS dataset, d.source_table, max(l.vintage) AS newest_vintage, d.fresh_days,
       date_diff('day', max(l.vintage), CAST(current_timestamp AS TIMESTAMP)) AS age_days
FROM meta.datasets AS d
JOIN meta.loads AS l ON l.dataset = d.name
WHERE NOT l.synthetic
GROUP BY d.name, d.source_table, d.fresh_days
HAVING date_diff('day', max(l.vintage), CAST(current_timestamp AS TIMESTAMP)) > d.fresh_days

-- severity: warning
-- Each dataset we hold was refreshed within its expected cycle, and no vintage lies in the future
-- (meta.freshness says how; `demografie status` shows the same view). Synthetic data is not checked.
SELECT dataset, source_table, newest_vintage, fresh_days, age_days, state AS problem
FROM meta.freshness
WHERE state <> 'fresh' AND NOT synthetic

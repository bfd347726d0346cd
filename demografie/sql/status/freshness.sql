-- `demografie status`: the freshness of every dataset held, as the freshness check reads it.
SELECT dataset, source_table, newest_vintage, fresh_days, age_days, state FROM meta.freshness ORDER BY dataset

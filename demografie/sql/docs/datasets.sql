-- The publisher tables behind the warehouse, with what it holds of each and the licence.
SELECT
    d.name, d.topic, d.source, d.source_table, d.title, d.level, d.first_year, d.last_year, d.licence,
    count(l.content_sha256) AS deliveries,
    max(l.vintage) AS newest_vintage,
    min(l.first_ref_date) AS first_date,
    max(l.last_ref_date) AS last_date
FROM meta.datasets AS d
LEFT JOIN meta.loads AS l ON l.dataset = d.name
GROUP BY ALL
ORDER BY d.topic, d.name

-- The publishers' tables an export holds ($tables), each with its dataset, title, publisher, the
-- newest Stand the warehouse holds of it, and its licence (with the attribution it asks for).
SELECT
    d.source_table, d.name AS dataset, d.title, d.source AS publisher,
    strftime(max(l.vintage), '%Y-%m-%d %H:%M') AS newest_stand, d.licence
FROM meta.datasets AS d
LEFT JOIN meta.loads AS l ON l.dataset = d.name
WHERE list_contains($tables, d.source_table)
GROUP BY ALL
ORDER BY d.source_table

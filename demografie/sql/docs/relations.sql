-- Every relation an analyst may read, with its description: marts first, then core and meta.
SELECT schema_name, table_name AS name, 'table' AS kind, comment
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name IN ('marts', 'core', 'meta', 'geo')
UNION ALL
SELECT schema_name, view_name, 'view', comment
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name IN ('marts', 'core', 'meta', 'geo') AND NOT internal
UNION ALL
SELECT schema_name, function_name, 'table function', comment
FROM duckdb_functions()
WHERE database_name = current_database() AND schema_name IN ('marts', 'core', 'meta', 'geo') AND function_type = 'table_macro'
ORDER BY CASE schema_name WHEN 'marts' THEN 1 WHEN 'core' THEN 2 WHEN 'meta' THEN 3 ELSE 4 END, name

-- Everything a build created in the copy of the live warehouse except the versions it may keep
-- (warehouse/reuse.py drops these before the build steps create them again): views first, then
-- macros and tables, so that nothing is dropped while another relation still reads it.
SELECT kind, schema_name, name
FROM (
    SELECT 1 AS rank, 'VIEW' AS kind, schema_name, view_name AS name
    FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
    UNION ALL
    SELECT 2, CASE function_type WHEN 'table_macro' THEN 'MACRO TABLE' ELSE 'MACRO' END, schema_name, function_name
    FROM duckdb_functions()
    WHERE database_name = current_database() AND function_type IN ('macro', 'table_macro') AND NOT internal
    UNION ALL
    SELECT 3, 'TABLE', schema_name, table_name
    FROM duckdb_tables()
    WHERE database_name = current_database() AND NOT internal
      AND NOT (schema_name = 'core' AND table_name = 'observations')
)
ORDER BY rank, schema_name, name;

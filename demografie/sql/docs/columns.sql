-- The columns of every relation, in order, with type and description.
SELECT schema_name, table_name, column_name, data_type, comment
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name IN ('marts', 'core', 'meta', 'geo')
ORDER BY schema_name, table_name, column_index

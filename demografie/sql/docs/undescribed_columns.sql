-- The columns named in the list (the shared ones) that have no description of their own.
SELECT schema_name, table_name, column_name
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name IN ('core', 'marts', 'meta', 'geo')
  AND comment IS NULL AND column_name IN (SELECT unnest(CAST(? AS VARCHAR[])))

"""The lake (Parquet, the record) and the DuckDB warehouse derived from it."""

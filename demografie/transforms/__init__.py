"""Pure functions from raw bytes to Arrow tables in the shared schema. No network, no database."""

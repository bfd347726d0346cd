"""Extract: one adapter per publisher route. Returns raw bytes plus provenance; knows HTTP,
credentials, status codes and retries, and nothing about the shared schema."""

"""The business steps of a run, free of Prefect: flows/ wraps each in a task (retries, timeouts,
concurrency slots, run logs) and nothing more."""

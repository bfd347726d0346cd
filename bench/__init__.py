"""Benchmarks: scripts that print tables (python -m bench.<name>); results in bench/RESULTS.md."""

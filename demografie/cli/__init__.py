"""The `demografie` command: one module per group of commands (runs, store, publish, ops), the
shared parts in `base`, what is printed in `output`."""

from __future__ import annotations

# each module registers its commands on the app; the order here is their order in `demografie --help`
# isort: off
import demografie.cli.runs
import demografie.cli.store
import demografie.cli.publish
import demografie.cli.ops  # noqa: F401  (only the last of the four is "unused" to ruff)
from demografie.cli.base import app, main

# isort: on

__all__ = ["app", "main"]

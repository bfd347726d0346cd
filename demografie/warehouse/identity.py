"""Uniqueness of the observations of a delivery read in blocks."""

from __future__ import annotations

import os
import tempfile

import duckdb
import pyarrow as pa

from demografie.warehouse.sqlfiles import read_sql

LEDGER_MEMORY = "256MB"


class IdentityLedger:
    """The identities seen so far, as 64-bit hashes in an in-memory DuckDB table (16 million
    observations take 128 MB; past the memory limit DuckDB evicts the table's blocks and spills the
    final grouped count to a temporary directory, so memory stays flat for any file size; nothing
    is logged or checkpointed, as a database file would be). A hash
    collision (about 1 in 10^5 at 16 million rows) would refuse a valid delivery; it can never
    let a repeated observation through."""

    def __init__(self) -> None:
        self._spill = tempfile.TemporaryDirectory(prefix="demografie-identities-")
        self._con = duckdb.connect(
            ":memory:",
            config={
                "threads": 1,
                "memory_limit": LEDGER_MEMORY,
                "temp_directory": self._spill.name,
                "preserve_insertion_order": False,
            },
        )
        self._con.execute("SET enable_progress_bar = false")  # its bar would draw on the user's terminal
        self._con.execute(read_sql("staging/identity_ledger.sql"))
        self.blocks = 0

    def add(self, identity: pa.Table) -> None:
        """One block's identities: a column per part (measure, region, date, classifying codes)."""
        self.blocks += 1
        self._con.register("identity_block", identity)
        self._con.execute(read_sql("staging/identity_add.sql"))
        self._con.unregister("identity_block")

    def repeated(self) -> int:
        """How many observations repeat an identity seen before."""
        # the adds shared the cores with the parse; this count runs alone at the end, on all of them
        self._con.execute(f"SET threads = {os.cpu_count() or 1}")
        row = self._con.execute(read_sql("staging/identity_repeated.sql")).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._con.close()
        self._spill.cleanup()

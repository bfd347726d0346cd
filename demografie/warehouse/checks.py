"""Quality checks: SQL files in sql/checks/, each a query returning the rows that violate it and
a `-- severity: error|warning` header. Results go to meta.check_results."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import duckdb

from demografie.errors import WarehouseError
from demografie.warehouse.sqlfiles import check_files, read_sql

SEVERITY = re.compile(r"^--\s*severity:\s*(error|warning)\s*$", re.MULTILINE)
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    severity: str
    violations: int
    sample: list[dict[str, Any]]

    @property
    def failed(self) -> bool:
        return self.violations > 0

    def describe(self) -> str:
        rows = "; ".join(json.dumps(row, default=str, ensure_ascii=False) for row in self.sample)
        return f"check {self.name} ({self.severity}): {self.violations} violating row(s): {rows}"


class ChecksFailedError(WarehouseError, RuntimeError):
    def __init__(self, failures: list[CheckResult]) -> None:
        self.failures = failures
        super().__init__(
            "quality checks failed, the previous warehouse stays live:\n"
            + "\n".join(f"- {failure.describe()}" for failure in failures)
        )


def run_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    results = [_run_one(con, relative) for relative in check_files()]
    con.execute(read_sql("meta/check_results.sql"))
    con.executemany(
        "INSERT INTO meta.check_results VALUES (?, ?, ?, ?)",
        [[r.name, r.severity, r.violations, json.dumps(r.sample, default=str)] for r in results],
    )
    return results


def _run_one(con: duckdb.DuckDBPyConnection, relative: str) -> CheckResult:
    sql = read_sql(relative)
    match = SEVERITY.search(sql)
    if match is None:
        raise ValueError(f"{relative} has no '-- severity: error|warning' line")
    relation = con.sql(sql)
    # counted in DuckDB, a few rows fetched: a check that fails on millions of rows (every Gemeinde
    # of a synthetic file) must not pull them all into Python
    counted = relation.aggregate("count(*)").fetchall()
    columns = relation.columns
    sample = [dict(zip(columns, row, strict=True)) for row in relation.limit(SAMPLE_ROWS).fetchall()]
    return CheckResult(PurePosixPath(relative).stem, match.group(1), int(counted[0][0]), sample)

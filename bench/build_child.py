"""In a fresh process: `ingest <home>` (every recorded sample), `build <home>` or `full <home>`
(timed; `full` computes every table's versions, `build` copies the unchanged ones)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.common import report


def ingest(home: Path) -> dict[str, Any]:
    from demografie.flows.ingest import ingest as ingest_flow
    from tests.support import FLAT_FILES, TABLE_CSVS, sample_path

    for vintage, names in [(None, TABLE_CSVS), *FLAT_FILES.items()]:
        ingest_flow([str(sample_path(name)) for name in names], vintage=vintage, home=str(home))
    return {}


def build(home: Path, full: bool = False) -> dict[str, Any]:
    from demografie import catalog
    from demografie.settings import Paths
    from demografie.warehouse.build import build_warehouse

    result = build_warehouse(Paths.from_env(home), catalog.DATASETS, full=full)
    return {
        "versions": result.observation_versions,
        "checks": len(result.checks),
        "split": result.split(),
        "computed_tables": result.tables - len(result.reuse.tables),
        "tables": result.tables,
    }


def full(home: Path) -> dict[str, Any]:
    return build(home, full=True)


if __name__ == "__main__":
    task, where = sys.argv[1], Path(sys.argv[2])
    if task in ("build", "full"):
        import demografie.warehouse.build  # noqa: F401  (imports before the clock starts)
    report(lambda: {"ingest": ingest, "build": build, "full": full}[task](where))

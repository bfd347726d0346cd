"""A nightly run that kills itself (SIGKILL, no cleanup of any kind) at one named point.

Run by test_crashes as `python -m tests.integration.crash_child <point> <home>`, with the publisher's URL and
credentials and the Prefect API in the environment. The points are wrappers around the real
functions: the run does everything up to the point for real, then dies as under `kill -9`.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import pyarrow.parquet as pq

import demografie.flows.runs as runs
import demografie.sources.genesis as genesis
import demografie.warehouse.build as build
from demografie.flows.nightly import nightly
from demografie.storage import Store

DATASETS = ["population", "employees_workplace"]
AS_OF = date(2025, 12, 31)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_before(owner: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            die()
        return original(*args, **kwargs)

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)


def kill_after(owner: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            die()
        return result

    setattr(owner, name, wrapper)


def key_is(predicate: Callable[[str], bool]) -> Callable[..., bool]:
    return lambda store, key, *rest, **kw: predicate(str(key))


POINTS: dict[str, Callable[[], None]] = {
    "fetch": lambda: kill_before(genesis.GenesisClient, "tablefile"),
    "raw landing, before the sidecar": lambda: kill_before(
        Store, "write_bytes", key_is(lambda k: k.startswith("regio/") and k.endswith(".json"))
    ),
    # a flat file is written block by block: the run dies after the first block, the file has no footer
    "lake Parquet half written": lambda: kill_after(pq.ParquetWriter, "write_table"),
    "lake, between Parquet and manifest": lambda: kill_before(
        Store, "write_bytes", key_is(lambda k: k.startswith("manifest/"))
    ),
    "warehouse build, half the marts": lambda: kill_before(
        build, "read_sql", lambda step: step == "marts/movement.sql"
    ),
    "warehouse built, before the swap": lambda: kill_before(
        os, "replace", lambda source, target: str(target).endswith("warehouse.duckdb")
    ),
    "after the swap, before the run log": lambda: kill_before(runs, "record"),
}


def main() -> None:
    point, home = sys.argv[1], sys.argv[2]
    POINTS[point]()
    nightly(datasets=DATASETS, as_of=AS_OF, home=home)
    print("the run finished without reaching its crash point", file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    main()

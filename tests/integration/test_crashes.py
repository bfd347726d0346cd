"""SIGKILL at every point of a nightly run: the live warehouse is the one before or the one after
the run, no half-written Parquet file is visible, and the next run completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from prefect.settings import PREFECT_API_URL

from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from tests.integration.crash_child import AS_OF, DATASETS, POINTS
from tests.reliability import CRASH_POINTS
from tests.support import (
    EMPLOYEES,
    EMPLOYEES_META,
    POPULATION,
    POPULATION_META,
    REPO,
    publisher_dir,
    sample_path,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]
CREDENTIALS = {"GENESIS_REGIO_USERNAME": "analyst", "GENESIS_REGIO_PASSWORD": "pw-for-tests"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GenesisServer]:
    root = publisher_dir(
        tmp_path_factory.mktemp("crash-publisher"),
        {
            "12411-01-01-4": (sample_path(POPULATION), sample_path(POPULATION_META)),
            "13111-01-03-4": (sample_path(EMPLOYEES), sample_path(EMPLOYEES_META)),
        },
    )
    with GenesisServer(root, "analyst", "pw-for-tests") as publisher:
        yield publisher


@pytest.fixture
def environment(server: GenesisServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    settings = {"GENESIS_REGIO_URL": server.base_url, **CREDENTIALS}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return settings


def snapshot(home: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            "observations": con.execute(
                "SELECT source_table, region_code, ref_date, sex, value, status, vintage FROM core.observations "
                "ORDER BY ALL"
            ).fetchall(),
            "population": con.execute("SELECT * EXCLUDE (vintage) FROM marts.population ORDER BY ALL").fetchall(),
        }


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory, server: GenesisServer) -> dict[str, Path]:
    """`before`: population held; `after`: the run under test (population unchanged, employees
    loaded) finished normally."""
    os.environ.update({"GENESIS_REGIO_URL": server.base_url, **CREDENTIALS})
    try:
        before = tmp_path_factory.mktemp("before") / "home"
        nightly(datasets=["population"], as_of=AS_OF, home=str(before))
        after = tmp_path_factory.mktemp("after") / "home"
        shutil.copytree(before, after)
        nightly(datasets=DATASETS, as_of=AS_OF, home=str(after))
    finally:
        for name in ("GENESIS_REGIO_URL", *CREDENTIALS):
            os.environ.pop(name, None)
    return {"before": before, "after": after}


def kill_at(point: str, home: Path, environment: dict[str, str]) -> None:
    env = os.environ | environment | {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    child = subprocess.run(
        [sys.executable, "-m", "tests.integration.crash_child", point, str(home)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert child.returncode == -9, f"rc {child.returncode}: {child.stderr[-3000:]}"


def visible_lake_is_whole(home: Path) -> None:
    lake = home / "lake"
    for path in lake.rglob("*.parquet"):
        assert not path.name.startswith(".")
        pq.read_table(path)  # a cut file raises here
    for manifest in lake.rglob("manifest/**/*.json"):
        assert not manifest.name.startswith(".")


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_run(point: str, homes: dict[str, Path], environment: dict[str, str], tmp_path: Path) -> None:
    assert point in POINTS
    home = tmp_path / "home"
    shutil.copytree(homes["before"], home)
    kill_at(point, home, environment)

    assert snapshot(home) in (snapshot(homes["before"]), snapshot(homes["after"]))
    visible_lake_is_whole(home)

    nightly(datasets=DATASETS, as_of=AS_OF, home=str(home))
    assert snapshot(home) == snapshot(homes["after"])
    assert not [p for p in home.rglob(".*") if p.name.endswith((".tmp", ".building", ".wal"))]

"""Shared fixtures: a quiet Prefect test harness, the all-samples warehouse, the local server.
Helpers and sample names are in tests/support.py (imported first: it sets Prefect's quiet settings)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from tests.support import (
    EMPLOYEES,
    EMPLOYEES_META,
    FLAT_FILES,
    POPULATION,
    POPULATION_META,
    TABLE_CSVS,
    ZENSUS_GEMEINDEN,
    ZENSUS_UPDATED,
    GenesisServer,
    build_warehouse,
    built_once,
    fill_lake,
    point_at,
    publisher_dir,
    sample_path,
)


@pytest.fixture
def sample() -> Callable[[str], Path]:
    return sample_path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield


@pytest.fixture(scope="module")
def warehouse(all_samples_home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The all-samples warehouse, opened read-only as an analyst would."""
    from demografie.settings import Paths

    with duckdb.connect(str(Paths.from_env(str(all_samples_home)).warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def all_samples_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data home with every sample data table ingested (table CSVs and HSL publications with
    the Stand they print, flat files with their recording date as vintage); built once per run and
    only read by the tests."""

    def fill(home: Path) -> None:
        for vintage, names in [(None, TABLE_CSVS), *FLAT_FILES.items(), (ZENSUS_UPDATED, (ZENSUS_GEMEINDEN,))]:
            fill_lake(home, [sample_path(name) for name in names], vintage)
        build_warehouse(home)

    return built_once(tmp_path_factory, "all-samples", fill)


@pytest.fixture
def recorded_publisher(tmp_path: Path) -> Path:
    return publisher_dir(
        tmp_path / "publisher",
        {
            "12411-01-01-4": (sample_path(POPULATION), sample_path(POPULATION_META)),
            "13111-01-03-4": (sample_path(EMPLOYEES), sample_path(EMPLOYEES_META)),
        },
    )


@pytest.fixture
def publisher(recorded_publisher: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GenesisServer]:
    """The local GENESIS server answering with the recorded population and employees tables."""
    with GenesisServer(recorded_publisher, "analyst", "pw-for-tests") as server:
        point_at(server, "GENESIS_REGIO", "analyst", "pw-for-tests", monkeypatch)
        yield server

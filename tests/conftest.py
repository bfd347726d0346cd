"""Shared fixtures: the recorded samples, a quiet Prefect test harness, the local server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Quiet, local Prefect; must be set before prefect is imported anywhere.
os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ["DEMOGRAFIE_HTTP_BACKOFF_SECONDS"] = "0"
os.environ["DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS"] = "0"

SAMPLES = Path(os.environ.get("DEMOGRAFIE_SAMPLES", REPO.parent / "shared" / "samples"))


def sample_path(name: str) -> Path:
    """A recorded sample; fails under CI when missing, skips (naming the folder) elsewhere."""
    path = SAMPLES / name
    if not path.is_file():
        message = f"sample {name} not found in {SAMPLES} (set DEMOGRAFIE_SAMPLES to the samples folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def sample() -> Callable[[str], Path]:
    return sample_path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield


POPULATION = "regio_v5_ffcsv_12411-01-01-4_de.csv"
EMPLOYEES = "regio_v5_ffcsv_13111-01-03-4_2024-06-30_de.csv"
POPULATION_META = "regio_json_metadata_table_12411-01-01-4.json"
EMPLOYEES_META = "regio_json_metadata_table_13111-01-03-4.json"


def publisher_dir(root: Path, tables: dict[str, tuple[Path, Path]]) -> Path:
    """A response directory for the local server: table -> (flat file, metadata answer)."""
    for table, (flat, metadata) in tables.items():
        (root / "tablefile").mkdir(parents=True, exist_ok=True)
        (root / "metadata").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(flat, root / "tablefile" / f"{table}.csv")
        shutil.copyfile(metadata, root / "metadata" / f"{table}.json")
    return root


@pytest.fixture
def recorded_publisher(tmp_path: Path) -> Path:
    return publisher_dir(
        tmp_path / "publisher",
        {
            "12411-01-01-4": (sample_path(POPULATION), sample_path(POPULATION_META)),
            "13111-01-03-4": (sample_path(EMPLOYEES), sample_path(EMPLOYEES_META)),
        },
    )

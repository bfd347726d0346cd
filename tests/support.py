"""What the tests share besides fixtures (tests/conftest.py has those): the quiet Prefect settings, the
recorded samples and their names, the local server's response folders, small query helpers."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
# Quiet, local Prefect; must be set before prefect is imported anywhere.
os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# One terminal width everywhere (a developer's terminal, CI, a pytest-xdist worker whose paths are
# longer): messages wrap at the same places, or not at all.
os.environ["COLUMNS"] = "200"
os.environ["DEMOGRAFIE_HTTP_BACKOFF_SECONDS"] = "0"
os.environ["DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS"] = "0"

from hypothesis import settings as hypothesis_settings  # noqa: E402

from demografie.archive import is_zip, unpack_single  # noqa: E402
from demografie.devserver.server import GenesisServer as GenesisServer  # noqa: E402  (after the settings above)
from demografie.sources.genesis import Download  # noqa: E402

# CI draws the same examples every time; HYPOTHESIS_PROFILE=fuzz draws ten times as many at random.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("fuzz", database=None, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
FUZZ_FACTOR = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 1

# The recorded answers the tests read: their copies in tests/data/samples (provenance and licences
# in its README), or another folder of the same files named by DEMOGRAFIE_SAMPLES.
SAMPLES = Path(os.environ.get("DEMOGRAFIE_SAMPLES") or REPO / "tests" / "data" / "samples")


def sample_path(name: str) -> Path:
    """A recorded sample; fails under CI when missing, skips (naming the folder) elsewhere."""
    path = SAMPLES / name
    if not path.is_file():
        message = f"sample {name} not found in {SAMPLES} (set DEMOGRAFIE_SAMPLES to the samples folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


# Recording dates of the flat files (samples/README.md: pystatis commits), used as their vintage.
V4_RECORDED = datetime(2024, 12, 4)
V5_JUNE_2025 = datetime(2025, 6, 11)
V5_MARCH_2026 = datetime(2026, 3, 10)
# The Zensus 2022 answer is ingested as received (a zip) with its metadata's Updated stamp.
ZENSUS_UPDATED = datetime(2024, 8, 20, 10, 27, 35)
ZENSUS_GEMEINDEN = "zensus_v5_ffcsv_1000A-0000_gemeinden_2022-05-15_de.zip"

TABLE_CSVS = (
    "destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv",
    "destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv",
    "destatis_genesis_tabellencsv_12411-0017_kreise_altersgruppen_2021-12-31.csv",
    "destatis_genesis_tabellencsv_12411-0018_kreise_altersgruppen.csv",
    "regio_tabellencsv_11111-01-01-4_flaeche_qkm_2018-12-31.csv",
    "regio_tabellencsv_12411-01-01-4_2018-12-31.csv",
    "regio_tabellencsv_12411-04-02-4-B_laender_altersjahre_2019-12-31.csv",
    "regio_tabellencsv_12411-04-02-4_kreise_altersjahre_2020-12-31.csv",
    "regio_tabellencsv_13211-02-05-4_2015-2020.csv",
    "regio_tabellencsv_13211-02-05-4_2023.csv",
    "regio_tabellencsv_13211-02-05-4_2025.csv",
    "regio_tabellencsv_12711-02-02-4_stand2017-10-10_utf8.csv",
    "regio_tabellencsv_21111-01-03-4_sj2023.csv",
    "regio_tabellencsv_21111-02-06-4_sj2023.csv",
    "regio_tabellencsv_21121-01-05-4_stand2017-10-10_utf8.csv",
    "regio_tabellencsv_21121-02-02-4_sj2023.csv",
    "regio_tabellencsv_13111-11-04-4_stand2017-10-10_utf8.csv",
    "regio_tabellencsv_22411-02-03-4_stand2017-10-10_utf8.csv",
    "regio_tabellencsv_22541-01-04-4_stand2017-10-10_utf8.csv",
    "regio_tabellencsv_23111-01-04-4_stand2020-11-13.csv",
    "sachsen_genesis_tabellencsv_12410-010Z_bev_gemeinden_30-06.csv",
    "sachsen_genesis_tabellencsv_12613-010Z_gestorbene_gemeinden.csv",
    "sachsen_genesis_tabellencsv_12613-020Z_gestorbene_je1000_gemeinden.csv",
    "hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx",
    "hessen_hsl_csvexport_altersstruktur_kreise_2021-12-31.csv",
)
FLAT_FILES: dict[datetime, tuple[str, ...]] = {
    V4_RECORDED: (
        "regio_v4_ffcsv_12111-01-01-4_zensus2011_de.csv",
        "regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv",
        "regio_v4_ffcsv_12411-01-01-4_2023-12-31_en.csv",
        "regio_v4_ffcsv_13111-01-03-4_2023-06-30_de.csv",
        "regio_v4_ffcsv_AI-N-01-2-5_de.csv",
    ),
    V5_JUNE_2025: (
        "regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv",
        "regio_v5_ffcsv_13111-01-03-4_2024-06-30_de.csv",
    ),
    V5_MARCH_2026: (
        "regio_v5_ffcsv_12411-01-01-4_de.csv",
        "regio_v5_ffcsv_12411-01-01-4_en.csv",
        "regio_v5_ffcsv_13111-01-03-4_2025-06-30_de.csv",
        "regio_v5_ffcsv_11111-02-01-4_de.csv",
        "regio_v5_ffcsv_12211-Z-11_quality-on_de.csv",
        "genesis_v5_ffcsv_13111-0005_de.csv",
        "regio_v5_ffcsv_AI-N-01-2-5_de_EXCERPT-first1000rows.csv",
    ),
}


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> tuple[object, ...]:
    """The one row a query must return."""
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


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


def metadata_answer(table: str, title: str, updated: str) -> str:
    """A metadata/table answer in the recorded envelope (13111-01-03-4), for another table."""
    answer = json.loads(sample_path("regio_json_metadata_table_13111-01-03-4.json").read_text("utf-8"))
    answer["Parameter"]["name"] = answer["Object"]["Code"] = table
    answer["Object"].update({"Content": title, "Updated": updated})
    return json.dumps(answer, ensure_ascii=False)


def point_at(server: GenesisServer, prefix: str, username: str, password: str, mp: pytest.MonkeyPatch) -> None:
    """Make a GENESIS route (`GENESIS_REGIO`, `GENESIS_ZENSUS`, ...) use the local server."""
    mp.setenv(f"{prefix}_URL", server.base_url)
    mp.setenv(f"{prefix}_USERNAME", username)
    mp.setenv(f"{prefix}_PASSWORD", password)


class Sleeps(list[float]):
    """A sleep that records how long it was asked to wait instead of waiting (RetryPolicy.sleep)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def flat_file_of(download: Download) -> tuple[str, bytes]:
    """The flat file inside a publisher's answer: (member name, bytes)."""
    if not is_zip(download.content):
        return (f"{download.params.get('name', 'table')}.csv", download.content)
    member = unpack_single(download.content)
    return (member.name, member.data)


def fill_lake(home: Path, files: Sequence[Path], vintage: datetime | None = None) -> None:
    """Load files into the home's lake as `demografie ingest` does, without Prefect (usecases.ingest);
    the warehouse is not built."""
    from demografie.settings import Settings
    from demografie.usecases.ingest import IngestRequest, ingest_files

    settings = Settings.from_env(str(home))
    settings.paths.ensure()
    load_id = f"fixture-{uuid.uuid4().hex}"
    ingest_files(settings, IngestRequest([str(p) for p in files], load_id, vintage=vintage, states=settings.states))


def build_warehouse(home: Path) -> None:
    """Build the home's warehouse from its lake as `demografie build` does, without Prefect."""
    from demografie.settings import Settings
    from demografie.usecases.rebuild import rebuild

    rebuild(Settings.from_env(str(home)))


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once per test run, shared by every pytest-xdist worker of the run (they
    read it, never write it): what took each worker its own half minute is built once. The workers'
    temporary folders share a parent per run; the first takes a lock and builds, the others wait."""
    import fcntl

    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder

"""Large tables (jobs, split requests) and change detection (`stand`, status 50), over real HTTP."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, cast

import duckdb
import pytest

from demografie.devserver.server import Fault, GenesisServer
from demografie.flows.nightly import nightly
from demografie.settings import Paths, Settings
from demografie.sources import errors
from demografie.sources.credentials import Credentials
from demografie.sources.fetching import JobPolicy, JobTimeoutError, TableFetcher
from demografie.sources.genesis import GenesisClient, TableRequest
from demografie.sources.http import RetryPolicy
from demografie.sources.publishers import PUBLISHERS
from tests.support import flat_file_of, point_at, publisher_dir, sample_path

RESULTFILE = "genesis_v5_ffcsv_resultfile_12531-0043_job_EXCERPT-first1000rows.csv"
JOB_SEQUENCE = (
    ("data/tablefile", "genesis_json_tablefile_status98_too_big.json"),
    ("data/tablefile", "genesis_json_tablefile_status99_job_created.json"),
    ("catalogue/results", "genesis_json_catalogue_results_status104_pending.json"),
    ("catalogue/results", "genesis_json_catalogue_results_status104_pending.json"),
    ("catalogue/results", "genesis_json_catalogue_results_status0_ready.json"),
)
RECORDED_JOB = "12531-0043_175879554"


class Clock:
    """A clock that the fetcher's sleeps move forward, so waiting costs no test time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def metadata(table: str, updated: str) -> dict[str, object]:
    return {
        "Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
        "Object": {"Code": table, "Content": table, "Updated": updated, "Time": {"From": "", "To": ""}},
    }


@pytest.fixture
def job_publisher(tmp_path: Path) -> Path:
    root = tmp_path / "destatis"
    (root / "tablefile").mkdir(parents=True)
    (root / "metadata").mkdir()
    (root / "tablefile" / "12531-0043.csv").write_bytes(sample_path(RESULTFILE).read_bytes())
    (root / "metadata" / "12531-0043.json").write_text(json.dumps(metadata("12531-0043", "05.03.2026 10:00:00h")))
    return root


def recorded_job(server: GenesisServer) -> None:
    server.inject(
        *(
            Fault(endpoint, body=sample_path(name).read_bytes(), content_type="application/json")
            for endpoint, name in JOB_SEQUENCE
        )
    )


def client_for(server: GenesisServer, publisher: str = "destatis", password: str = "demo") -> GenesisClient:
    route = PUBLISHERS[publisher].with_base_url(server.base_url)
    return GenesisClient(route, Credentials("demo", password), retry=RetryPolicy(attempts=2, backoff_seconds=0))


def test_the_recorded_job_sequence_ends_in_the_result_file_then_removes_it(job_publisher: Path) -> None:
    clock = Clock()
    with GenesisServer(job_publisher) as server:
        recorded_job(server)
        fetcher = TableFetcher(client_for(server), jobs=JobPolicy(poll_seconds=5, clock=clock, sleep=clock.sleep))
        fetched = fetcher.fetch(TableRequest("12531-0043", 2024, 2024))
        calls = [
            (seen.endpoint, seen.form.get("job"), seen.form.get("selection"), seen.form.get("name"))
            for seen in server.seen
        ]
    assert fetched.route == "job"
    assert calls == [
        ("data/tablefile", "false", None, "12531-0043"),
        ("data/tablefile", "true", None, "12531-0043"),
        ("catalogue/results", None, RECORDED_JOB, None),
        ("catalogue/results", None, RECORDED_JOB, None),
        ("catalogue/results", None, RECORDED_JOB, None),
        ("data/resultfile", "false", None, RECORDED_JOB),
        ("profile/removeResult", None, None, RECORDED_JOB),  # the account's result store is finite
    ]
    assert clock.sleeps == [5, 5]
    name, data = flat_file_of(fetched.parts[0])
    assert name == f"{RECORDED_JOB}_flat.csv"
    assert data == sample_path(RESULTFILE).read_bytes()


def test_a_job_that_never_finishes_fails_in_bounded_time(job_publisher: Path) -> None:
    clock = Clock()
    with GenesisServer(job_publisher, dialog_limit=10, job_polls=10_000) as server:
        fetcher = TableFetcher(
            client_for(server), jobs=JobPolicy(poll_seconds=5, timeout_seconds=60, clock=clock, sleep=clock.sleep)
        )
        with pytest.raises(
            JobTimeoutError,
            match=r"destatis: table 12531-0043: background job 12531-0043_\d+ not "
            r"finished after 60 s",
        ):
            fetcher.fetch(TableRequest("12531-0043", 2024, 2024))
    assert clock.now == 60


def test_without_jobs_the_request_is_split_and_the_parts_add_up(tmp_path: Path) -> None:
    root = publisher_dir(
        tmp_path / "regio",
        {
            "12411-01-01-4": (
                sample_path("regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv"),
                sample_path("regio_json_metadata_table_12411-01-01-4.json"),
            )
        },
    )
    whole = sample_path("regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv").read_text("utf-8-sig").splitlines()[1:]
    hessen_sachsen = [line for line in whole if line.split(";")[7][:2] in ("06", "14")]
    with GenesisServer(root, "demo", "", dialog_limit=len(hessen_sachsen) - 1) as server:
        fetched = TableFetcher(client_for(server, "regio", password="")).fetch(
            TableRequest("12411-01-01-4", 2023, 2023)
        )
        keys = [seen.form.get("regionalkey") for seen in server.seen if seen.endpoint == "data/tablefile"]
    assert fetched.route == "split"
    assert keys == ["", "06*", "14*"]  # a token (empty password) may not start jobs: split by state
    lines = [line for part in fetched.parts for line in flat_file_of(part)[1].decode("utf-8-sig").splitlines()[1:]]
    assert sorted(lines) == sorted(hessen_sachsen)


def test_a_table_too_large_even_in_parts_says_so(tmp_path: Path) -> None:
    root = publisher_dir(
        tmp_path / "regio",
        {
            "12411-01-01-4": (
                sample_path("regio_v5_ffcsv_12411-01-01-4_de.csv"),
                sample_path("regio_json_metadata_table_12411-01-01-4.json"),
            )
        },
    )
    with GenesisServer(root, "demo", "", dialog_limit=5) as server:
        fetcher = TableFetcher(client_for(server, "regio", password=""))
        with pytest.raises(errors.TableTooLargeError, match="too large even for one year and one state"):
            fetcher.fetch(TableRequest("12411-01-01-4", 2024, 2024))


# --- through the nightly flow -------------------------------------------------------------------------


@pytest.fixture
def destatis_env(job_publisher: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GenesisServer]:
    with GenesisServer(job_publisher) as server:
        monkeypatch.setenv("GENESIS_DESTATIS_URL", server.base_url)
        monkeypatch.setenv("GENESIS_DESTATIS_USERNAME", "demo")
        monkeypatch.setenv("GENESIS_DESTATIS_PASSWORD", "demo")
        monkeypatch.setenv("DEMOGRAFIE_JOB_POLL_SECONDS", "0")
        yield server


def test_nightly_loads_a_table_that_needs_a_job(
    destatis_env: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    recorded_job(destatis_env)
    summary = nightly(datasets=["protection_seekers"], as_of=date(2024, 12, 31), from_year=2024, home=str(tmp_path))
    assert [(t.table, t.outcome) for t in summary.tables] == [("12531-0043", "loaded")]
    with sample_path(RESULTFILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if r["1_variable_attribute_code"][:2] in ("06", "14")]
    with duckdb.connect(str(Paths.from_env(str(tmp_path)).warehouse), read_only=True) as con:
        loaded = con.execute(
            "SELECT region_code, source_dims['STAAG5'], source_dims['SCHST2'], sex, value, vintage "
            "FROM core.current_observations WHERE source_table = '12531-0043' ORDER BY ALL"
        ).fetchall()
    sexes = {"GESM": "male", "GESW": "female", "": "total"}
    expected = sorted(
        (
            r["1_variable_attribute_code"],
            r["4_variable_attribute_code"],
            r["2_variable_attribute_code"],
            sexes[r["3_variable_attribute_code"]],
            float(r["value"]),
            datetime(2026, 3, 5, 10),
        )
        for r in rows
    )
    assert loaded == expected
    assert len(loaded) == 95


@pytest.fixture
def regio(recorded_publisher: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GenesisServer]:
    with GenesisServer(recorded_publisher) as server:
        point_at(server, "GENESIS_REGIO", "demo", "demo", monkeypatch)
        yield server


def test_unchanged_tables_are_skipped_with_status_50_and_the_warehouse_is_not_rebuilt(
    regio: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    first = nightly(datasets=["population"], as_of=date(2024, 12, 31), home=str(tmp_path))
    built = Paths.from_env(str(tmp_path)).warehouse.stat().st_mtime_ns
    second = nightly(datasets=["population"], as_of=date(2024, 12, 31), home=str(tmp_path))
    stands = [seen.form["stand"] for seen in regio.seen if seen.endpoint == "data/tablefile"]
    assert [t.outcome for t in first.tables] == ["loaded"]
    assert [(t.outcome, t.message) for t in second.tables] == [
        ("unchanged", "status 50: nothing newer than the vintage we hold")
    ]
    assert stands == ["", "31.03.2025 11:18"]  # the metadata's "Updated" of the first delivery
    assert second.build is None
    assert Paths.from_env(str(tmp_path)).warehouse.stat().st_mtime_ns == built


def test_a_vintage_held_for_other_years_is_not_sent_as_stand(
    regio: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    nightly(datasets=["population"], as_of=date(2024, 12, 31), from_year=2024, home=str(tmp_path))
    wider = nightly(datasets=["population"], as_of=date(2024, 12, 31), from_year=2020, home=str(tmp_path))
    stands = [seen.form["stand"] for seen in regio.seen if seen.endpoint == "data/tablefile"]
    assert stands == ["", ""]  # holding 2024 says nothing about 2020-2023
    # the publisher sent the whole window again; its 2024 lines are the ones the lake holds
    assert [t.outcome for t in wider.tables] == ["unchanged"]
    assert "status 50" not in wider.tables[0].message


def test_a_retried_extract_reuses_the_answer_it_already_landed(
    regio: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    from prefect import flow

    from demografie.flows.tasks import extract
    from demografie.usecases.fetch import Extracted

    @flow
    def extract_twice(force: bool) -> list[Extracted]:
        # as a run retried after its fetch succeeded (and before anything reached the lake)
        first = extract("population", 2022, 2024, Settings.from_env(tmp_path), None, force)
        second = extract("population", 2022, 2024, Settings.from_env(tmp_path), None, force)
        assert isinstance(first, Extracted) and isinstance(second, Extracted)
        return [first, second]

    first, second = extract_twice(False)
    assert [seen.endpoint for seen in regio.seen].count("data/tablefile") == 1
    assert (first.route, second.route) == ("dialog", "cache")
    assert second.raw_files == first.raw_files and second.vintage == first.vintage
    extract_twice(True)  # force: ask the publisher again
    assert [seen.endpoint for seen in regio.seen].count("data/tablefile") == 3


def test_fetching_a_table_reuses_a_landed_answer_and_says_unchanged_without_prefect(
    publisher: GenesisServer, tmp_path: Path
) -> None:
    """usecases.fetch on its own: no flow, no task, no Prefect server."""
    from demografie import catalog
    from demografie.archive import unpacking
    from demografie.sources.fetching import Route
    from demografie.transforms.normalise import Provenance
    from demografie.usecases.fetch import Extracted, Unchanged, fetch_table
    from demografie.warehouse.deliveries import Delivery, load_delivery

    paths = Paths.from_env(tmp_path / "home")
    dataset = catalog.find("population")
    client = GenesisClient(
        PUBLISHERS["regio"].with_base_url(publisher.base_url), Credentials("analyst", "pw-for-tests")
    )
    fetcher = TableFetcher(client, ["06", "14"], JobPolicy())

    def tablefiles() -> int:
        return sum(seen.endpoint == "data/tablefile" for seen in publisher.seen)

    first = fetch_table(dataset, client, fetcher, paths, (2020, 2024))
    assert isinstance(first, Extracted) and first.route is Route.DIALOG and tablefiles() == 1
    again = fetch_table(dataset, client, fetcher, paths, (2020, 2024))  # e.g. a retried run before its load
    assert isinstance(again, Extracted) and again.route is Route.CACHE and again.raw_files == first.raw_files
    assert tablefiles() == 1  # not asked again

    provenance = Provenance(dataset.name, dataset.source, dataset.table, first.vintage, first.retrieved_at, "t")
    landed = paths.home / "raw" / first.raw_files[0]
    answer = unpacking(dataset.table, lambda: cast(BinaryIO, landed.open("rb")))
    load_delivery(paths.lake, Delivery(dataset, [answer], provenance, ["06", "14"], years=(2020, 2024)), raw_file="r")
    held = fetch_table(dataset, client, fetcher, paths, (2020, 2024))
    assert held == Unchanged(dataset.name, dataset.table, first.vintage)  # the publisher answered status 50

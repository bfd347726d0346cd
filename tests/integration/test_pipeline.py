"""End to end: the nightly flow over real HTTP against the local server serving the recorded
Regionaldatenbank answers, then SQL on the built warehouse."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from demografie.devserver.server import Fault, GenesisServer
from demografie.flows.ingest import ingest
from demografie.flows.nightly import nightly
from demografie.flows.runs import RunFailedError
from demografie.settings import Settings
from demografie.usecases import ingest as ingest_steps
from demografie.usecases.runlog import RunSummary
from tests.support import EMPLOYEES, POPULATION, sample_path

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]
RECORDED_DATASETS = ("population", "employees_workplace")
AS_OF = date(2025, 12, 31)


def run_nightly(home: Path) -> RunSummary:
    return nightly(datasets=list(RECORDED_DATASETS), as_of=AS_OF, home=str(home))


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def input_rows(name: str) -> list[dict[str, str]]:
    """The sample's rows, read with the csv module, independently of the pipeline."""
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def published_sum(rows: list[dict[str, str]], state: str, level_variable: str, **dims: str) -> int:
    total = 0
    for r in rows:
        attrs = {
            r[f"{i}_variable_code"]: r[f"{i}_variable_attribute_code"] for i in (2, 3) if f"{i}_variable_code" in r
        }
        if (
            r["1_variable_code"] == level_variable
            and r["1_variable_attribute_code"].startswith(state)
            and attrs == dims
            and r["value"].isdigit()
        ):
            total += int(r["value"])
    return total


def test_nightly_over_http_builds_the_warehouse(publisher: GenesisServer, tmp_path: Path) -> None:
    summary = run_nightly(tmp_path)
    assert [(t.table, t.outcome) for t in summary.tables] == [("12411-01-01-4", "loaded"), ("13111-01-03-4", "loaded")]
    assert all(s.method == "POST" and s.had_credentials for s in publisher.seen)

    kreise = query(
        tmp_path,
        """
        SELECT state, count(DISTINCT region_code) FILTER (WHERE population IS NOT NULL),
               count(DISTINCT region_code)
        FROM marts.population WHERE region_level = 'kreis' GROUP BY state ORDER BY state""",
    )
    assert kreise == [("06", 26, 26), ("14", 13, 13)]
    # The 29 Saxon Kreise dissolved in 2008 are in the delivery, filled with '-': they stay in the
    # core tables with their period, and never reach a mart.
    dissolved = query(
        tmp_path,
        """
        SELECT count(DISTINCT o.region_code), min(o.status), max(o.status), min(r.valid_to), max(r.valid_to)
        FROM core.observations AS o JOIN core.regions AS r USING (region_code)
        WHERE o.state = '14' AND o.region_level = 'kreis' AND r.valid_to IS NOT NULL""",
    )
    assert dissolved == [(29, "-", "-", date(2008, 7, 31), date(2008, 7, 31))]

    pop, emp = input_rows(POPULATION), input_rows(EMPLOYEES)
    assert land_totals(tmp_path, "population") == {
        "06": (published_sum(pop, "06", "KREISE", GES=""), "sum_of_kreise"),
        "14": (published_sum(pop, "14", "KREISE", GES=""), "sum_of_kreise"),
    }
    assert land_totals(tmp_path, "employees_workplace") == {
        "06": (published_sum(emp, "06", "DLAND", NAT="", GES=""), "published"),
        "14": (published_sum(emp, "14", "DLAND", NAT="", GES=""), "published"),
    }


def land_totals(home: Path, dataset: str) -> dict[str, tuple[float, str]]:
    """state -> (value, derivation) of the all-sexes, all-nationalities Land total."""
    rows = query(
        home,
        "SELECT state, value, derivation FROM marts.land_totals "
        f"WHERE dataset = '{dataset}' AND sex = 'total' AND nationality = 'total'",
    )
    return {state: (value, derivation) for state, value, derivation in rows}


def test_male_plus_female_equals_total(publisher: GenesisServer, tmp_path: Path) -> None:
    run_nightly(tmp_path)
    compared, mismatched = query(
        tmp_path,
        """
        WITH p AS (
            SELECT source_table, region_code, ref_date, nationality,
                   max(value) FILTER (WHERE sex = 'total') AS t,
                   max(value) FILTER (WHERE sex = 'male') AS m,
                   max(value) FILTER (WHERE sex = 'female') AS f
            FROM core.current_observations GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE m + f <> t) FROM p
        WHERE t IS NOT NULL AND m IS NOT NULL AND f IS NOT NULL""",
    )[0]
    assert compared > 100 and mismatched == 0


def test_symbols_are_kept_as_status(publisher: GenesisServer, tmp_path: Path) -> None:
    run_nightly(tmp_path)
    for name, table in ((POPULATION, "12411-01-01-4"), (EMPLOYEES, "13111-01-03-4")):
        expected: dict[str, int] = {}
        for r in input_rows(name):
            if r["1_variable_attribute_code"][:2] in ("06", "14") and not r["value"].isdigit():
                expected[r["value"]] = expected.get(r["value"], 0) + 1
        got = dict(
            query(
                tmp_path,
                f"""
            SELECT status, count(*) FROM core.observations
            WHERE source_table = '{table}' AND status IS NOT NULL AND value IS NULL GROUP BY status""",
            )
        )
        assert got == expected and got


def snapshot(home: Path, exclude: tuple[str, ...] = ("meta.build",)) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        relations = [
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
                "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        ]
        return {
            r: sorted(con.execute(f"SELECT * FROM {r}").fetchall(), key=repr) for r in relations if r not in exclude
        }


def test_running_twice_leaves_an_identical_warehouse(publisher: GenesisServer, tmp_path: Path) -> None:
    run_nightly(tmp_path)
    first = snapshot(tmp_path)
    second_run = run_nightly(tmp_path)
    assert [t.outcome for t in second_run.tables] == ["unchanged", "unchanged"]
    assert snapshot(tmp_path) == first
    assert len(first["core.observations"]) > 600


def test_a_revision_without_a_new_stand_is_kept_and_flagged(
    publisher: GenesisServer, recorded_publisher: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_nightly(tmp_path)
    # the publisher corrects a figure but keeps the Stand of its metadata (restatis#83, 2026): a
    # test stand-in for a corrected delivery, the rest of the recorded file unchanged
    served = recorded_publisher / "tablefile" / "12411-01-01-4.csv"
    lines = served.read_text("utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if ";06412;" in line and ";GESM;" in line and "2024-12-31" in line)
    cells = lines[index].split(";")
    old = int(cells[-4])
    lines[index] = ";".join([*cells[:-4], str(old + 7), *cells[-3:]])
    served.write_text("\n".join(lines), "utf-8")

    quiet = run_nightly(tmp_path)  # "nothing newer than the Stand we hold": the correction stays unseen
    assert [t.outcome for t in quiet.tables] == ["unchanged", "unchanged"]
    assert query(tmp_path, "SELECT count(*) FROM meta.revisions WHERE same_stand") == [(0,)]

    monkeypatch.setenv("DEMOGRAFIE_RECHECK_DAYS", "0")  # asked whole, without stand
    rechecked = run_nightly(tmp_path)
    assert [t.outcome for t in rechecked.tables] == ["loaded", "unchanged"]
    revision = query(
        tmp_path,
        "SELECT old_value, new_value, old_vintage = new_vintage, new_retrieved_at > old_retrieved_at "
        "FROM meta.revisions WHERE same_stand",
    )
    assert revision == [(float(old), float(old + 7), True, True)]
    current = query(
        tmp_path,
        "SELECT value FROM core.current_observations WHERE region_code = '06412' AND sex = 'male' "
        "AND ref_date = DATE '2024-12-31' AND source_table = '12411-01-01-4'",
    )
    assert current == [(float(old + 7),)]


def test_ingest_gives_the_same_observations_as_http(publisher: GenesisServer, tmp_path: Path) -> None:
    run_nightly(tmp_path / "http")
    manual = tmp_path / "downloads"
    manual.mkdir()
    for name, table in ((POPULATION, "12411-01-01-4"), (EMPLOYEES, "13111-01-03-4")):
        (manual / f"{table}_flat.csv").write_bytes(sample_path(name).read_bytes())
    vintages = {"12411-01-01-4": datetime(2025, 3, 31, 11, 18, 7), "13111-01-03-4": datetime(2025, 9, 8, 9, 8, 56)}
    for table, vintage in vintages.items():
        ingest(files=[str(manual / f"{table}_flat.csv")], vintage=vintage, home=str(tmp_path / "manual"))
    columns = "* EXCLUDE (retrieved_at, load_id)"
    http = query(tmp_path / "http", f"SELECT {columns} FROM core.observations ORDER BY ALL")
    by_hand = query(tmp_path / "manual", f"SELECT {columns} FROM core.observations ORDER BY ALL")
    assert http == by_hand and len(http) > 600


def test_ingest_lands_the_file_byte_exact_and_leaves_no_temporaries(tmp_path: Path) -> None:
    # the file is streamed (a flat file of gigabytes is never held), its copy hashed as it is written
    download = tmp_path / "12411-01-01-4_flat.csv"
    download.write_bytes(sample_path(POPULATION).read_bytes())
    ingest(files=[str(download)], vintage=datetime(2025, 3, 31, 11, 18, 7), home=str(tmp_path / "home"))
    raw = tmp_path / "home" / "raw"
    (landed,) = [path for path in raw.rglob("*.csv")]
    (sidecar,) = [path for path in raw.rglob("*.json")]
    meta = json.loads(sidecar.read_text("utf-8"))
    assert landed.read_bytes() == download.read_bytes()
    assert meta["sha256"] == hashlib.sha256(download.read_bytes()).hexdigest()
    assert meta["bytes"] == download.stat().st_size and meta["sha256"][:16] in landed.name
    assert [path.name for path in (tmp_path / "home").rglob(".*") if not path.name.endswith(".lock")] == []


def test_a_file_that_changes_while_it_is_ingested_is_not_committed(tmp_path: Path) -> None:
    # the file is read twice (parsed as a stream, then copied to raw/): a download still being
    # written, or replaced, between the two must not land bytes other than those parsed
    download = tmp_path / "12411-01-01-4_flat.csv"
    download.write_bytes(sample_path(POPULATION).read_bytes())
    settings = Settings.from_env(tmp_path / "home")
    settings.paths.ensure()
    request = ingest_steps.IngestRequest([str(download)], "load-1", vintage=datetime(2025, 3, 31))
    staged = ingest_steps.stage(settings, download, request)
    assert isinstance(staged, ingest_steps.StagedFile)
    os.utime(download, (staged.modified.timestamp() + 3600, staged.modified.timestamp() + 3600))
    with pytest.raises(ingest_steps.IngestError, match=r"12411-01-01-4_flat\.csv changed while it was loaded"):
        ingest_steps.commit(settings.paths, staged)
    staged.delivery.discard()
    assert list((tmp_path / "home" / "raw").rglob("*.*")) == []
    assert list((tmp_path / "home" / "lake").rglob("*.json")) == []


def test_a_failing_table_does_not_stop_the_others(publisher: GenesisServer, tmp_path: Path) -> None:
    publisher.inject(Fault(endpoint="data/tablefile", status_code=90, status_content="nicht vorhanden"))
    with pytest.raises(RunFailedError) as info:
        run_nightly(tmp_path)
    assert "12411-01-01-4 (population): regio: table 12411-01-01-4: status 90" in str(info.value)
    assert query(tmp_path, "SELECT DISTINCT source_table FROM core.observations") == [("13111-01-03-4",)]
    assert not (tmp_path / "lake" / "manifest" / "regio" / "12411-01-01-4").exists()


def test_raw_sidecars_hold_the_request_but_no_credentials(publisher: GenesisServer, tmp_path: Path) -> None:
    run_nightly(tmp_path)
    sidecars = sorted((tmp_path / "raw").rglob("*.json"))
    assert len(sidecars) == 2
    for path in sidecars:
        meta = json.loads(path.read_text("utf-8"))
        assert meta["params"]["format"] == "ffcsv" and meta["source_vintage"]
    produced = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"pw-for-tests" not in produced


def test_an_analyst_keeps_a_read_only_connection_open_through_the_nightly_run(
    publisher: GenesisServer, tmp_path: Path
) -> None:
    nightly(datasets=["population"], as_of=AS_OF, home=str(tmp_path))
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as analyst:
        before = analyst.execute("SELECT DISTINCT dataset FROM core.observations ORDER BY 1").fetchall()
        summary = nightly(datasets=["employees_workplace"], as_of=AS_OF, home=str(tmp_path))
        assert [t.outcome for t in summary.tables] == ["loaded"] and summary.build is not None
        # the open connection keeps the warehouse it opened, unharmed
        assert analyst.execute("SELECT DISTINCT dataset FROM core.observations ORDER BY 1").fetchall() == before
    with duckdb.connect(str(warehouse), read_only=True) as reconnected:
        now = reconnected.execute("SELECT DISTINCT dataset FROM core.observations ORDER BY 1").fetchall()
    assert before == [("population",)] and now == [("employees_workplace",), ("population",)]

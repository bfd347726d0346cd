"""A nightly run and a backfill started at the same moment from the command line, on one data
home, while analysts query the warehouse: one run waits for the other, nobody sees a lock error,
and the result is what the two runs would give one after the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from prefect.settings import PREFECT_API_URL

from demografie.devserver.server import GenesisServer
from demografie.devserver.synthetic import write_snapshot
from demografie.flows.nightly import nightly
from tests.support import REPO

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]


class Analyst(threading.Thread):
    """Opens the warehouse read-only and queries a mart, again and again, as DBeaver users do."""

    def __init__(self, warehouse: Path) -> None:
        super().__init__(daemon=True)
        self.warehouse = warehouse
        self.queries = 0
        self.errors: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                with duckdb.connect(str(self.warehouse), read_only=True) as con:
                    con.execute("SELECT count(*), sum(population) FROM marts.population").fetchall()
                self.queries += 1
            except duckdb.Error as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)


def test_nightly_and_backfill_at_once_while_analysts_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_snapshot(tmp_path / "publisher", 2015, 2024)
    home = tmp_path / "home"
    with GenesisServer(root) as publisher:
        credentials = {
            "GENESIS_REGIO_URL": publisher.base_url,
            "GENESIS_REGIO_USERNAME": "demo",
            "GENESIS_REGIO_PASSWORD": "demo",
        }
        for name, value in credentials.items():
            monkeypatch.setenv(name, value)
        # no synthetic flag anywhere: the demo server's title says the figures are invented
        nightly(datasets=["population"], as_of=date(2024, 12, 31), home=str(home))
        kept_open = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        before = kept_open.execute("SELECT count(*) FROM core.observations").fetchall()
        analyst = Analyst(home / "warehouse.duckdb")
        analyst.start()

        env = (
            os.environ
            | credentials
            | {"PREFECT_API_URL": str(PREFECT_API_URL.value()), "DEMOGRAFIE_LOCK_WAIT_SECONDS": "120"}
        )
        cli = [sys.executable, "-m", "demografie.cli"]
        commands = [
            [*cli, "run", "-d", "population", "--from-year", "2020", "--to-year", "2024", "--home", str(home)],
            [*cli, "backfill", "--from-year", "2015", "--to-year", "2019", "-d", "population", "--home", str(home)],
        ]
        runs = [
            subprocess.Popen(c, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for c in commands
        ]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        analyst.done.set()
        analyst.join(timeout=10)

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert analyst.errors == [] and analyst.queries > 10
    assert kept_open.execute("SELECT count(*) FROM core.observations").fetchall() == before
    kept_open.close()

    log = [json.loads(line) for line in (home / "runs.jsonl").read_text("utf-8").splitlines()][1:]
    assert sorted(entry["flow"] for entry in log) == ["backfill", "nightly"]
    first, second = sorted(log, key=lambda entry: entry["locked_at"])
    assert datetime.fromisoformat(first["finished_at"]) <= datetime.fromisoformat(second["locked_at"])

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        years = con.execute("SELECT DISTINCT year(ref_date) FROM core.observations ORDER BY 1").fetchall()
        labels = con.execute("SELECT DISTINCT synthetic FROM core.observations").fetchall()
        unique = con.execute(
            "SELECT count(*) = count(DISTINCT (region_code, ref_date, sex, age_from, age_to, "
            "nationality, source_table, valid_from)) FROM core.observations"
        ).fetchall()
    assert [y for (y,) in years] == list(range(2015, 2025))
    assert labels == [(True,)]
    assert unique == [(True,)]

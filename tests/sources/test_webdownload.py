"""Sachsen's GENESIS web download (GET, no login) through the nightly flow, over real HTTP."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.flows.runs import RunFailedError
from demografie.settings import Paths
from tests.support import sample_path

DEATHS = "sachsen_genesis_tabellencsv_12613-010Z_gestorbene_gemeinden.csv"


@pytest.fixture
def sachsen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GenesisServer]:
    root = tmp_path / "sachsen"
    (root / "download").mkdir(parents=True)
    (root / "download" / "12613-010Z.csv").write_bytes(sample_path(DEATHS).read_bytes())
    with GenesisServer(root) as server:
        monkeypatch.setenv("SACHSEN_GENONLINE_URL", server.web_download_url)
        monkeypatch.setenv("DEMOGRAFIE_HTTP_ATTEMPTS", "2")
        yield server


def test_nightly_downloads_a_saxon_table_with_its_stand_as_vintage(
    sachsen: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    home = tmp_path / "home"
    first = nightly(datasets=["deaths_gemeinden_sn"], as_of=date(2024, 1, 31), home=str(home))
    assert [(t.table, t.outcome) for t in first.tables] == [("12613-010Z", "loaded")]
    request = sachsen.seen[0]
    assert (request.method, request.endpoint) == ("GET", "/genonline/online")
    assert request.form == {
        "sequenz": "tabelleDownload",
        "selectionname": "12613-010Z",
        "regionalschluessel": "",
        "format": "csv",
    }
    assert not request.had_credentials

    text = sample_path(DEATHS).read_text("cp1252")
    stand = datetime.strptime(text.strip().splitlines()[-1], "Stand: %d.%m.%Y / %H:%M:%S")
    row = next(r for r in csv.reader(text.splitlines(), delimiter=";") if r[:2] == ["2022", "14612000"])
    with duckdb.connect(str(Paths.from_env(str(home)).warehouse), read_only=True) as con:
        found = con.execute(
            "SELECT value, vintage, region_level FROM core.current_observations WHERE source = 'sachsen' "
            "AND source_table = '12613-010Z' AND region_code = '14612000' AND ref_date = DATE '2022-12-31' "
            "AND sex = 'female'"
        ).fetchall()
    assert found == [(float(row[5]), stand, "gemeinde")]

    built = Paths.from_env(str(home)).warehouse.stat().st_mtime_ns
    second = nightly(datasets=["deaths_gemeinden_sn"], as_of=date(2024, 1, 31), home=str(home))
    assert [t.outcome for t in second.tables] == ["unchanged"]  # the same bytes: nothing new
    assert second.build is None and Paths.from_env(str(home)).warehouse.stat().st_mtime_ns == built


def test_an_unknown_saxon_table_fails_clearly(sachsen: GenesisServer, tmp_path: Path, prefect_harness: None) -> None:
    (sachsen.state.root / "download" / "12613-010Z.csv").unlink()
    with pytest.raises(RunFailedError) as failed:
        nightly(datasets=["deaths_gemeinden_sn"], as_of=date(2024, 1, 31), home=str(tmp_path / "home"))
    assert [t.outcome for t in failed.value.summary.tables] == ["failed"]
    assert failed.value.summary.tables[0].message == (
        "sachsen: table 12613-010Z: an HTML page where data was expected (web page or outage notice) "
        "(gave up after 2 attempts)"
    )

"""Hostile input and unreliable files: each defect of the hostile review, tried as a user would,
asserting what the user sees (the exact refusal, the lake and warehouse unchanged, no secret)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from demografie import catalog
from demografie.cli import app
from demografie.devserver.server import Fault, GenesisServer
from demografie.flows.ingest import ingest
from demografie.flows.nightly import nightly
from demografie.flows.reaper import descendants
from demografie.flows.runs import RunFailedError
from demografie.settings import Paths, SettingsError
from demografie.transforms import hsl
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import parse
from demografie.transforms.normalise import Provenance, normalise
from demografie.transforms.recognise import recognise
from demografie.usecases.ingest import IngestError
from demografie.warehouse.lake import committed_entries, write_delivery
from tests.support import EMPLOYEES, POPULATION, sample_path

pytestmark = pytest.mark.usefixtures("prefect_harness")
TABLE_CSV = "regio_tabellencsv_12411-01-01-4_2018-12-31.csv"
runner = CliRunner()


def refused_ingest(home: Path, *files: Path, vintage: dt.datetime | None = None) -> str:
    """Ingest that must fail: its message, after checking that nothing reached the lake."""
    with pytest.raises(Exception) as failed:
        ingest([str(f) for f in files], vintage=vintage, home=str(home))
    assert committed_entries(Paths.from_env(str(home)).lake) == []
    assert not Paths.from_env(str(home)).warehouse.exists()
    return str(failed.value)


def german_with_thousands(tmp_path: Path) -> Path:
    """The v5 population file as a spreadsheet re-save writes it: counts with a thousands point."""
    lines = sample_path(POPULATION).read_text("utf-8-sig").splitlines()
    header, rows = lines[0].split(";"), [line.split(";") for line in lines[1:]]
    at = header.index("value")
    for row in rows:
        if row[at].isdigit() and len(row[at]) > 3:
            row[at] = f"{int(row[at]):,}".replace(",", ".")
    target = tmp_path / "12411-01-01-4_resaved.csv"
    target.write_text("\n".join([lines[0], *(";".join(r) for r in rows)]) + "\n", "utf-8")
    return target


def test_a_count_with_thousands_separators_is_refused_not_divided_by_1000(tmp_path: Path) -> None:
    message = refused_ingest(tmp_path / "home", german_with_thousands(tmp_path))
    assert message.startswith("12411-01-01-4_resaved.csv: regio: table 12411-01-01-4: ")
    assert "is a count with exactly three decimals: a thousands separator (a spreadsheet re-save?)" in message


def test_a_flat_file_of_another_statistic_is_refused_naming_both(tmp_path: Path) -> None:
    saved = tmp_path / "12411-02-03-4_flat.csv"  # the employees table, saved under a population name
    saved.write_bytes(sample_path(EMPLOYEES).read_bytes())
    message = refused_ingest(tmp_path / "home", saved)
    assert "the file holds statistic 13111, but table 12411-02-03-4 is statistic 12411" in message


def test_a_zip_holding_another_tables_answer_is_refused(tmp_path: Path) -> None:
    answer = tmp_path / "12411-01-01-4_1744323962295_de_flat.zip"
    with zipfile.ZipFile(answer, "w") as archive:  # a 12411 file, but the answer for 12411-02-03-4
        archive.writestr("12411-02-03-4_1744323962295_de_flat.csv", sample_path(POPULATION).read_bytes())
    message = refused_ingest(tmp_path / "home", answer)
    assert (
        "the zip holds 12411-02-03-4_1744323962295_de_flat.csv, the answer for table 12411-02-03-4, "
        "not for 12411-01-01-4" in message
    )


def test_a_table_option_that_contradicts_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        ingest([str(sample_path(TABLE_CSV))], table="12411-0015", home=str(tmp_path))
    assert str(refused.value) == (
        f"{TABLE_CSV}: --table 12411-0015, but the file names itself table 12411-01-01-4; pass the table the "
        "file is, or leave --table out"
    )
    assert not any(path.is_file() for sub in ("raw", "lake") for path in (tmp_path / sub).rglob("*"))


def test_a_title_padded_by_a_spreadsheet_still_names_the_table() -> None:
    data = sample_path(TABLE_CSV).read_bytes()
    first, rest = data.split(b"\n", 1)
    assert recognise(first.rstrip(b"\r;") + b";;;;;;\n" + rest, "saved.csv").named == "12411-01-01-4"


def test_an_hsl_workbook_with_its_sexes_swapped_is_refused() -> None:
    workbook = openpyxl.load_workbook(
        sample_path("hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx"), read_only=True, data_only=True
    )
    rows = [list(row) for row in workbook["Bevölkerung"].iter_rows(values_only=True)]
    numbers: dict[object, int] = {v: i for i, v in enumerate(rows[hsl.HEADER_ROWS - 1]) if isinstance(v, int)}
    male, female = numbers[3], numbers[5]
    assert (rows[2][male], rows[2][female]) == ("männlich", "weiblich")  # the layout as published
    rows[2][male], rows[2][female] = "weiblich", "männlich"  # a release that numbers female first
    with pytest.raises(ParseError) as refused:
        hsl._sheet_records([tuple(r) for r in rows], hsl.GEMEINDESTATISTIK_BEVOELKERUNG, "hessen: table X")
    assert "column 3 is headed 'davon weiblich anzahl', where Bevölkerung (männlich" in str(refused.value)


def test_a_vintage_in_the_future_is_refused(tmp_path: Path) -> None:
    message = refused_ingest(tmp_path / "home", sample_path(POPULATION), vintage=dt.datetime(2205, 12, 4))
    assert "its vintage 2205-12-04 00:00 lies in the future" in message and "nothing was loaded" in message

    # one already held (a lake written before this check) is flagged by the check and by status
    home = tmp_path / "older"
    paths = Paths.from_env(str(home))
    future = dt.datetime(2100, 1, 1)
    provenance = Provenance("population", "regio", "12411-01-01-4", future, future, "older")
    data = sample_path(POPULATION).read_bytes()
    table = normalise(parse(data, "older", ","), provenance, catalog.find("population").measures, ["06", "14"])
    write_delivery(paths.lake, table, content_sha256="1" * 64, raw_file="raw/older")
    built = runner.invoke(app, ["build", "--home", str(home)])
    assert built.exit_code == 0, built.output
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        (sample,) = con.execute("SELECT sample FROM meta.check_results WHERE check_name = 'freshness'").fetchone() or ()
    assert '"problem": "vintage in the future"' in str(sample)
    status = runner.invoke(app, ["status", "--home", str(home)], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "vintage in the future" in status.output


def test_a_flat_file_without_a_stamp_takes_the_retrieval_stamp_of_its_name(tmp_path: Path) -> None:
    answer = tmp_path / "answer.zip"
    with zipfile.ZipFile(answer, "w") as archive:
        archive.writestr("12411-01-01-4_1744323962295_de_flat.csv", sample_path(POPULATION).read_bytes())
    ingest([str(answer)], table="12411-01-01-4", home=str(tmp_path / "home"))
    (entry,) = committed_entries(Paths.from_env(str(tmp_path / "home")).lake)
    written = dt.datetime.fromtimestamp(1744323962.295, dt.UTC).replace(tzinfo=None)
    assert dt.datetime.fromisoformat(entry.vintage) == written  # not the file's modification time


# --- secrets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        (f"Geh31m-{uuid.uuid4().hex}\n", "GENESIS_REGIO_PASSWORD starts or ends with a blank or a line break"),
        (f" Geh31m-{uuid.uuid4().hex}", "GENESIS_REGIO_PASSWORD starts or ends with a blank or a line break"),
        (f"Geh€1m-{uuid.uuid4().hex}", "GENESIS_REGIO_PASSWORD contains a character outside Latin-1"),
    ],
    ids=["trailing newline", "leading blank", "outside Latin-1"],
)
def test_a_password_that_cannot_be_sent_is_named_never_shown(
    password: str, complaint: str, recorded_publisher: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with GenesisServer(recorded_publisher, "analyst", password.strip()) as server:
        monkeypatch.setenv("GENESIS_REGIO_URL", server.base_url)
        monkeypatch.setenv("GENESIS_REGIO_USERNAME", "analyst")
        monkeypatch.setenv("GENESIS_REGIO_PASSWORD", password)
        result = runner.invoke(app, ["run", "-d", "population", "--home", str(tmp_path)])
        assert server.seen == []  # refused before any request
    assert result.exit_code == 1
    assert complaint in " ".join(result.output.split())
    produced = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for secret in (password, password.strip()):
        assert secret not in result.output and secret.encode() not in produced


def test_a_publisher_text_that_echoes_the_password_is_redacted(
    recorded_publisher: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = f"Geh31m-{uuid.uuid4().hex}"
    with GenesisServer(recorded_publisher, "analyst", password) as server:
        monkeypatch.setenv("GENESIS_REGIO_URL", server.base_url)
        monkeypatch.setenv("GENESIS_REGIO_USERNAME", "analyst")
        monkeypatch.setenv("GENESIS_REGIO_PASSWORD", password)
        server.inject(Fault("data/tablefile", status_code=-1, status_content=f"Fehler für {password}", times=100))
        with pytest.raises(RunFailedError) as failed:
            nightly(datasets=["population"], as_of=dt.date(2025, 12, 31), home=str(tmp_path))
    (table,) = failed.value.summary.failures
    assert table.message == "regio: table 12411-01-01-4: status -1 (publisher error): Fehler für ***"
    log = (tmp_path / "runs.jsonl").read_text("utf-8")
    assert "Fehler für ***" in log and password not in log


def test_a_url_with_credentials_in_it_is_refused_before_the_run_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENESIS_REGIO_URL", "https://analyst:S3cret-in-url@www.regionalstatistik.de/rest/2020/")
    monkeypatch.setenv("GENESIS_REGIO_USERNAME", "analyst")
    monkeypatch.setenv("GENESIS_REGIO_PASSWORD", "whatever")
    said = (
        "GENESIS_REGIO_URL carries a user name or password; put the credentials in GENESIS_REGIO_USERNAME and "
        "GENESIS_REGIO_PASSWORD instead"
    )
    with pytest.raises(SettingsError) as refused:  # the flow, as a deployment runs it
        nightly(datasets=["population"], as_of=dt.date(2025, 12, 31), home=str(tmp_path))
    assert str(refused.value) == said
    result = runner.invoke(app, ["run", "-d", "population", "--home", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and said in " ".join(result.output.split())
    assert not any(tmp_path.iterdir())  # nothing landed, no run recorded, no sidecar holds the URL


def test_the_sql_command_cannot_write_files(all_samples_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "overwritten.csv"
    result = runner.invoke(app, ["sql", "--home", str(all_samples_home), f"COPY (SELECT 1) TO '{target}'"])
    assert result.exit_code == 1 and "file system operations are disabled" in " ".join(result.output.split())
    assert not target.exists()
    result = runner.invoke(app, ["sql", "--home", str(all_samples_home), "SET enable_external_access = true"])
    assert result.exit_code == 1
    result = runner.invoke(app, ["sql", "--home", str(all_samples_home), "SELECT count(*) FROM marts.population"])
    assert result.exit_code == 0


# --- the run log, years --------------------------------------------------------------------------------


def test_a_broken_last_line_of_the_run_log_neither_crashes_status_nor_swallows_the_next_one(tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    log.write_text('{"load_id": "a", "flow": "nightly", "started_at": "2026-01-01T02:00:00", "finis', "utf-8")
    ingest([str(sample_path(TABLE_CSV))], home=str(tmp_path))
    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["flow"] == "ingest"
    result = runner.invoke(app, ["status", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped: runs.jsonl line 1 is not a run record" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from-year", "2024", "--to-year", "2020"], "from_year 2024 is after to_year 2020"),
        (["--from-year", "3000"], "from_year 3000 is outside 1900–"),
        (["--to-year", "-5"], "to_year -5 is outside 1900–"),
    ],
)
def test_impossible_years_are_a_usage_error(options: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "-d", "deaths_gemeinden_sn", *options, "--home", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output
    assert not any(tmp_path.iterdir())


# --- the warehouse stays readable ------------------------------------------------------------------


def test_a_killed_read_write_session_does_not_break_the_next_warehouse(tmp_path: Path) -> None:
    """An analyst opens the warehouse read-write (plain `duckdb data/warehouse.duckdb`), writes, and
    the session dies: its WAL must not end up beside the next warehouse."""
    home = tmp_path / "home"
    ingest([str(sample_path(TABLE_CSV))], home=str(home))
    warehouse = Paths.from_env(str(home)).warehouse
    session = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse)!r})\n"
            "con.execute('CREATE TABLE main.my_notes AS SELECT 42 AS answer')\n"
            "print('written', flush=True)\ntime.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert session.stdout is not None and session.stdout.readline().strip() == "written"
        os.kill(session.pid, signal.SIGKILL)
    finally:
        session.wait(timeout=30)
    wal = warehouse.with_name(warehouse.name + ".wal")
    assert wal.exists()  # what the dead session left

    result = runner.invoke(app, ["build", "--home", str(home)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse), read_only=True) as con:  # opens: no foreign WAL beside it
        assert con.execute("SELECT count(*) FROM marts.population").fetchone() != (0,)
    (aside,) = warehouse.parent.glob(f"{wal.name}.*.replaced")  # the analyst's writes are kept
    assert aside.stat().st_size > 0


def one_delivery(tmp_path: Path) -> Paths:
    home = tmp_path / "home"
    ingest([str(sample_path(TABLE_CSV))], home=str(home))
    return Paths.from_env(str(home))


def test_a_damaged_lake_file_is_named_and_the_live_warehouse_stays(tmp_path: Path) -> None:
    paths = one_delivery(tmp_path)
    before = paths.warehouse.read_bytes()
    (entry,) = committed_entries(paths.lake)
    parquet = paths.home / "lake" / entry.lake_file
    data = parquet.read_bytes()
    parquet.write_bytes(data[:-60] + b"\xff" * 52 + data[-8:])  # a damaged footer, its length and magic intact
    result = runner.invoke(app, ["build", "--home", str(paths.home)])
    output = "".join(result.output.split())  # the terminal wraps inside long paths
    assert result.exit_code == 1
    expected = f"lake/{entry.lake_file} (table 12411-01-01-4, delivery of {entry.raw_file}) is damaged"
    assert "".join(expected.split()) in output
    assert paths.warehouse.read_bytes() == before


def test_manifest_entries_newer_or_damaged(tmp_path: Path) -> None:
    paths = one_delivery(tmp_path)
    (marker,) = (paths.home / "lake" / "manifest").rglob("*.json")
    record = json.loads(marker.read_text("utf-8"))
    marker.write_text(json.dumps({**record, "written_by": "a newer demografie"}), "utf-8")
    result = runner.invoke(app, ["build", "--home", str(paths.home)])
    assert result.exit_code == 0, result.output  # a field of a newer version is ignored

    marker.write_text('{"load_id": "x", "dataset"', "utf-8")
    key = marker.relative_to(paths.home).as_posix()
    result = runner.invoke(app, ["build", "--home", str(paths.home)])
    assert result.exit_code == 1 and f"{key}: damaged manifest entry" in " ".join(result.output.split())
    result = runner.invoke(app, ["status", "--home", str(paths.home)])
    assert result.exit_code == 0 and f"{key}: damaged manifest entry" in " ".join(result.output.split())


# --- files a person saves -------------------------------------------------------------------------


def test_a_saved_error_answer_is_said_to_be_one(tmp_path: Path) -> None:
    saved = tmp_path / "12411-01-01-4.json"
    saved.write_bytes(sample_path("genesis_json_tablefile_status104_no_object.json").read_bytes())
    with pytest.raises(IngestError) as refused:
        ingest([str(saved)], home=str(tmp_path / "home"))
    assert str(refused.value) == (
        "12411-01-01-4.json: a saved GENESIS error answer, not a table: status 104: "
        "Es gibt keine Objekte zum angegebenen Selektionskriterium"
    )
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*.json"))  # nothing landed


def test_a_workbook_that_is_not_the_gemeindestatistik_is_refused_saying_what_it_is(tmp_path: Path) -> None:
    workbook = sample_path("destatis_xlsx_12421-0003_15kbv_en_MODIFIED.xlsx")
    with pytest.raises(IngestError) as refused:
        ingest([str(workbook)], home=str(tmp_path / "home"))
    assert str(refused.value) == (
        f"{workbook.name}: an Excel workbook that is not the Hessische Gemeindestatistik (sheets: 12421-0003); "
        "for a GENESIS table, download it as flat file (ffcsv) or table CSV instead"
    )
    assert not (tmp_path / "home" / "raw").exists()


def test_a_table_csv_with_destroyed_umlauts_names_the_cell(tmp_path: Path) -> None:
    text = sample_path(TABLE_CSV).read_bytes().decode("cp1252").replace("Gießen", "Gie\ufffden")
    saved = tmp_path / "12411-01-01-4_resaved.csv"
    saved.write_bytes(text.encode("utf-8"))
    message = refused_ingest(tmp_path / "home", saved)
    assert "'Gie\ufffden, Regierungsbezirk' holds replacement characters (U+FFFD)" in message
    assert "download the table again" in message


def test_a_failing_command_prints_the_message_not_a_traceback(tmp_path: Path) -> None:
    saved = tmp_path / "12411-02-03-4_flat.csv"
    saved.write_bytes(sample_path(EMPLOYEES).read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "demografie.cli", "ingest", str(saved), "--home", str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=os.environ | {"COLUMNS": "200"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "Traceback" not in output and "Encountered exception" not in output
    assert "Error: 12411-02-03-4_flat.csv: regio: table 12411-02-03-4: the file holds statistic 13111" in output
    assert len(output.strip().splitlines()) <= 4, output


# --- a batch of files, the deliveries in the lake -------------------------------------------------


def files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_one_bad_file_of_a_batch_lands_nothing_and_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "13111-01-03-4_broken.csv"
    bad.write_bytes(sample_path(EMPLOYEES).read_bytes()[:-400] + b"x;y\n")  # a download cut off and patched
    good = [sample_path(TABLE_CSV), sample_path("regio_tabellencsv_13211-02-05-4_2023.csv")]
    home = tmp_path / "home"
    with pytest.raises(IngestError) as refused:
        ingest([str(good[0]), str(bad), str(good[1])], home=str(home))
    message = str(refused.value)
    assert message.startswith(
        "1 of 3 file(s) refused; nothing was loaded, the lake and warehouse are unchanged (--keep-going loads "
        "the others):\n- 13111-01-03-4_broken.csv: "
    )
    assert files_in(home / "raw") == [] and files_in(home / "lake") == []  # the good ones neither
    assert not (home / "warehouse.duckdb").exists()
    (run,) = [json.loads(line) for line in (home / "runs.jsonl").read_text("utf-8").splitlines()]
    assert run["outcomes"] == {"loaded": 0, "unchanged": 0, "failed": 1} and not run["built"]
    assert run["failed"] == [message.split("\n- ", 1)[1]]

    result = runner.invoke(
        app,
        ["ingest", str(good[0]), str(bad), str(good[1]), "--keep-going", "--home", str(home)],
        env={"COLUMNS": "400"},
    )
    assert result.exit_code == 1
    assert "Run failed. 1 table(s) failed:\n- 13111-01-03-4_broken.csv: " in result.output
    loaded = sorted(entry.source_table for entry in committed_entries(Paths.from_env(str(home)).lake))
    assert loaded == ["12411-01-01-4", "13211-02-05-4"]
    assert sorted(path.parent.name for path in files_in(home / "raw") if path.suffix != ".json") == loaded
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute("SELECT DISTINCT source_table FROM core.observations ORDER BY 1").fetchall()
    assert tables == [("12411-01-01-4",), ("13211-02-05-4",)]


def test_a_file_that_an_error_check_would_refuse_never_blocks_later_builds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest([str(sample_path("regio_tabellencsv_13211-02-05-4_2023.csv"))], home=str(home))
    before = (home / "warehouse.duckdb").read_bytes()
    negative = tmp_path / "12411-01-01-4_edited.csv"  # a sign slipped into a count by a hand edit
    original = sample_path(TABLE_CSV).read_bytes()
    negative.write_bytes(original.replace(b"Kreisfreie Stadt;753056;", b"Kreisfreie Stadt;-753056;"))
    with pytest.raises(IngestError) as refused:
        ingest([str(negative)], home=str(home))
    assert str(refused.value) == (
        "12411-01-01-4_edited.csv: regio: table 12411-01-01-4: 1 negative count(s) of persons, e.g. BEVSTD 06412 "
        "2018-12-31: -753056; a misread file, not a figure to keep: nothing was loaded, the lake and warehouse are "
        "unchanged"
    )
    assert [e.source_table for e in committed_entries(Paths.from_env(str(home)).lake)] == ["13211-02-05-4"]
    assert (home / "warehouse.duckdb").read_bytes() == before
    ingest([str(sample_path(TABLE_CSV))], home=str(home))  # the next file builds as if nothing had happened
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        frankfurt = con.execute(
            "SELECT value FROM core.current_observations WHERE region_code = '06412' "
            "AND sex = 'total' AND source_table = '12411-01-01-4'"
        ).fetchall()
    assert frankfurt == [(753056.0,)]


def test_a_delivery_can_be_listed_and_dropped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest([str(sample_path(TABLE_CSV)), str(sample_path("regio_tabellencsv_13211-02-05-4_2023.csv"))], home=str(home))
    entries = {e.source_table: e for e in committed_entries(Paths.from_env(str(home)).lake)}
    listed = runner.invoke(app, ["deliveries", "list", "--home", str(home)], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    unemployment = entries["13211-02-05-4"]
    assert unemployment.content_sha256[:16] in listed.output
    assert entries["12411-01-01-4"].content_sha256[:16] in listed.output

    dropped = runner.invoke(app, ["deliveries", "drop", unemployment.content_sha256[:8], "--home", str(home)])
    assert dropped.exit_code == 0, dropped.output
    assert f"dropped {unemployment.content_sha256[:16]}: 13211-02-05-4" in dropped.output
    assert [e.source_table for e in committed_entries(Paths.from_env(str(home)).lake)] == ["12411-01-01-4"]
    assert not (home / "lake" / unemployment.lake_file).exists()
    assert (home / unemployment.raw_file).exists()  # the raw answer stays, to be loaded again
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT DISTINCT source_table FROM core.observations").fetchall() == [("12411-01-01-4",)]

    unknown = runner.invoke(app, ["deliveries", "drop", "ffff", "--home", str(home)])
    assert unknown.exit_code == 2
    assert "0 deliveries match 'ffff' (found: none)" in unknown.output


def test_a_lake_file_without_its_manifest_entry_is_reported(tmp_path: Path) -> None:
    paths = one_delivery(tmp_path)
    (marker,) = (paths.home / "lake" / "manifest").rglob("*.json")
    (entry,) = committed_entries(paths.lake)
    marker.unlink()  # a lost commit record: the table would silently vanish from the warehouse
    expected = f"lake/{entry.lake_file} has no manifest entry and is not in the warehouse"
    refused = runner.invoke(app, ["build", "--home", str(paths.home)], env={"COLUMNS": "300"})
    assert refused.exit_code == 1  # the lake holds none of the live tables now
    assert f"1 lake file(s) have no manifest entry, e.g. lake/{entry.lake_file}" in refused.output
    built = runner.invoke(app, ["build", "--allow-empty", "--home", str(paths.home)], env={"COLUMNS": "300"})
    assert built.exit_code == 0 and expected in built.output
    status = runner.invoke(app, ["status", "--home", str(paths.home)], env={"COLUMNS": "300"})
    assert status.exit_code == 0 and expected in status.output


# --- texts that say what is wrong ---------------------------------------------------------------


def test_a_directory_given_to_ingest_is_said_to_be_one(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        ingest([str(tmp_path)], home=str(tmp_path / "home"))
    assert str(refused.value) == f"{tmp_path}: a directory; give the files in it (e.g. {tmp_path}/*.csv)"


def test_a_password_protected_workbook_is_said_to_be_one(tmp_path: Path) -> None:
    # what Excel writes for a workbook saved with a password: an OLE2 compound file
    saved = tmp_path / "HSL-GEMEINDESTATISTIK_2019.xlsx"
    saved.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptionInfo")
    with pytest.raises(IngestError) as refused:
        ingest([str(saved)], home=str(tmp_path / "home"))
    assert str(refused.value) == (
        "HSL-GEMEINDESTATISTIK_2019.xlsx: an encrypted (password-protected) workbook or an old .xls file (OLE2), "
        "which cannot be read: open it in a spreadsheet program, remove the password and save it as .xlsx, or "
        "download the table again"
    )


def test_a_data_home_that_is_a_file_is_said_to_be_one(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.write_text("not a folder")
    done = subprocess.run(
        [sys.executable, "-m", "demografie.cli", "status"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"DEMOGRAFIE_HOME": str(home), "COLUMNS": "300"},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"Error: DEMOGRAFIE_HOME {home} is a file, not a directory: point it at a folder for raw/, lake/ and the "
        "warehouse (it is created if missing)"
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEMOGRAFIE_HTTP_ATTEMPTS", "0", "DEMOGRAFIE_HTTP_ATTEMPTS='0' is below 1 (tries per HTTP request; default 4"),
        ("DEMOGRAFIE_HTTP_ATTEMPTS", "three", "DEMOGRAFIE_HTTP_ATTEMPTS='three' is not a whole number"),
        ("DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS", "30s", "DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS='30s' is not a number"),
        ("DEMOGRAFIE_LOCK_WAIT_SECONDS", "nan", "DEMOGRAFIE_LOCK_WAIT_SECONDS='nan' is not a finite number"),
        ("DEMOGRAFIE_HTTP_DEADLINE_SECONDS", "inf", "DEMOGRAFIE_HTTP_DEADLINE_SECONDS='inf' is not a finite number"),
    ],
)
def test_a_bad_tuning_value_is_a_usage_error_that_names_the_variable(
    variable: str, value: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    command = ["ingest", str(sample_path(TABLE_CSV)), "--home", str(tmp_path)]
    result = runner.invoke(app, command, env={"COLUMNS": "300"})
    assert result.exit_code == 2 and message in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["docs", "report", "status"])
def test_a_damaged_warehouse_is_said_to_be_one(command: str, tmp_path: Path) -> None:
    paths = one_delivery(tmp_path)
    paths.warehouse.write_bytes(paths.warehouse.read_bytes()[:8192])  # a copy cut short
    out = [] if command == "status" else ["--out", str(tmp_path / "out")]
    result = runner.invoke(app, [command, "--home", str(paths.home), *out], env={"COLUMNS": "300"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"{paths.warehouse} cannot be read (" in result.output
    assert "`demografie build` builds it anew from the lake" in result.output
    assert result.exit_code == (0 if command == "status" else 1)


def test_a_land_named_as_a_row_label_is_read(tmp_path: Path) -> None:
    """Destatis Länder tables put the Länder in the rows by name, without a key: the 12411-0012
    sample turned round (Länder as rows, ages as columns) must give the same figures."""
    lines = sample_path("destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv").read_bytes().split(b"\n")
    cells = [line.rstrip(b"\r").split(b";") for line in lines]
    laender, data = cells[5][2:], cells[6:9]
    ages = [row[1] for row in data]
    turned = [b";;" + b";".join(ages)] + [
        data[0][0] + b";" + land + b";" + b";".join(row[2 + i] for row in data) for i, land in enumerate(laender)
    ]
    target = tmp_path / "12411-0012_turned.csv"
    target.write_bytes(b"\n".join([*lines[:4], *turned, b"__________", *lines[-4:]]))
    home = tmp_path / "home"
    ingest([str(target)], home=str(home))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT region_code, age_from, value FROM core.observations WHERE region_code IN ('06', '14') ORDER BY 1, 2"
        ).fetchall()
    # the figures of 31.12.1967 as published in the sample's rows (Hessen 83950, 85460, 84968; Sachsen "-")
    assert rows == [
        ("06", 0, 83950.0),
        ("06", 1, 85460.0),
        ("06", 2, 84968.0),
        ("14", 0, None),
        ("14", 1, None),
        ("14", 2, None),
    ]


# --- a command stopped from outside --------------------------------------------------------------
# systemd's SIGTERM, `timeout`, `docker stop`, the OOM killer's SIGKILL: no Prefect server may stay
# behind, holding 230 MB and the parent's environment with the passwords.


def prefect_server_below(pid: int) -> int | None:
    for child in descendants(pid, exclude=os.getpid()):
        try:
            if b"uvicorn" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            continue
    return None


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_command_leaves_no_prefect_server_behind(signum: signal.Signals, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # its own temporary server
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "200"}
    command = [
        sys.executable,
        "-m",
        "demografie.cli",
        "demo",
        "--home",
        str(tmp_path / "home"),
        "--from-year",
        "2022",
        "--to-year",
        "2023",
    ]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as command_run:
        found: list[int] = []

        def server_started() -> bool:
            server = prefect_server_below(command_run.pid)
            found.extend([server] if server else [])
            return server is not None

        assert wait_for(server_started, 120), "the command started no Prefect server"
        time.sleep(1)  # the watcher notes children every POLL_SECONDS; one started in the last instant escapes
        os.kill(command_run.pid, signum)
        output, _ = command_run.communicate(timeout=60)
    assert wait_for(lambda: not running(found[0]), 20), f"the Prefect server {found[0]} outlived its command"
    if signum == signal.SIGTERM:  # unwound like Ctrl-C, and said so
        assert command_run.returncode == 130, output.decode()
        assert "Stopped. The lake holds only whole deliveries; the previous warehouse stays live." in output.decode()
        assert "Traceback" not in output.decode()

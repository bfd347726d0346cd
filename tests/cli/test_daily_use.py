"""Daily use of the command line: the demo and `status` in an 80-column terminal and through a pipe,
query results as CSV, JSON and Markdown, exports to CSV, Parquet and XLSX with their sources, table
search in the publishers' lists, and `--version`. The demo runs once for the module."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

import demografie.cli.output as output
from demografie.cli import app
from demografie.reference import CATALOGUES
from tests.support import GenesisServer

runner = CliRunner()
BOXES = "│─━┃┏┓╭╮╰╯┡┩"


def terminal(width: int) -> Console:
    """The console the commands get in a user's terminal of `width` columns."""
    return output.make_console(terminal_width=width)


def seen(text: str) -> str:
    """What the terminal shows: the text without its escape codes (colour and bold)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@dataclass(frozen=True)
class Demo:
    home: Path
    output: str  # of the first run, in an 80-column terminal

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("demo") / "my demo"  # a blank in the path: commands must quote it
    with pytest.MonkeyPatch.context() as mp:
        for name in ("GENESIS_REGIO_URL", "GENESIS_REGIO_USERNAME", "GENESIS_REGIO_PASSWORD"):
            mp.delenv(name, raising=False)
        mp.setattr(output, "console", terminal(80))
        mp.setattr(output, "err", terminal(80))
        result = runner.invoke(app, ["demo", "--home", str(home), "--from-year", "2022", "--to-year", "2024"])
    assert result.exit_code == 0, result.output
    yield Demo(home, seen(result.output))


def cut_cells(text: str) -> list[str]:
    """Lines where rich cut a cell short (a word ending in an ellipsis)."""
    return [line for line in text.splitlines() if re.search(r"\w…", line)]


@pytest.mark.integration
def test_the_demo_at_80_columns_prints_every_command_and_path_whole(demo: Demo) -> None:
    lines = [line.strip() for line in demo.output.splitlines()]
    home, warehouse = str(demo.home), str(demo.warehouse)
    assert f"Warehouse: {warehouse}" in lines
    for command in (
        f"demografie sql --home '{home}' 'SELECT * FROM marts.state_comparison'",
        f"duckdb -readonly '{warehouse}'",
        f"demografie docs --home '{home}'",
        f"demografie report --home '{home}'",
    ):
        assert command in lines, command
    assert cut_cells(demo.output) == []
    # what is laid out (tables, summaries) fits; only whole commands and paths may run longer
    long = [line for line in demo.output.splitlines() if len(line) > 80]
    assert all(home in line or "marts." in line for line in long), long


@pytest.mark.integration
def test_the_demo_loads_synthetic_figures_labelled_as_such(demo: Demo) -> None:
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        assert con.execute("SELECT DISTINCT synthetic FROM core.observations").fetchall() == [(True,)]
        kreise = con.execute(
            "SELECT state, count(DISTINCT region_code) FROM marts.population "
            "WHERE region_level = 'kreis' GROUP BY state ORDER BY state"
        ).fetchall()
        assert kreise == [("06", 26), ("14", 13)]
        assert con.execute("SELECT DISTINCT synthetic FROM marts.state_comparison").fetchall() == [(True,)]
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM marts.employees", "--home", str(demo.home)])
    assert result.exit_code == 0 and "1 row(s)" in result.output
    report = demo.home / "report.html"
    result = runner.invoke(app, ["report", "--home", str(demo.home), "--out", str(report)])
    assert result.exit_code == 0 and "8 chart(s) drawn" in " ".join(result.output.split())
    written = report.read_text("utf-8")
    assert "This warehouse holds <strong>synthetic</strong> figures" in written
    assert '<div id="life-phases"' in written and "Synthetic figures (demo), not official statistics." in written
    for theme in ("skilled-workers", "services", "projections"):  # every section of the themes is drawn
        assert f'<div id="{theme}"' in written, theme


@pytest.mark.integration
def test_status_and_deliveries_at_80_columns_cut_nothing(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "console", terminal(80))
    status = runner.invoke(app, ["status", "--home", str(demo.home)])
    assert status.exit_code == 0, status.output
    shown = seen(status.output)
    assert f"warehouse {demo.warehouse}: built" in shown and "\x1b[" in status.output  # a terminal: in colour
    assert cut_cells(shown) == []
    assert all(len(line) <= 80 for line in shown.splitlines() if str(demo.home) not in line)
    listed = runner.invoke(app, ["deliveries", "list", "--home", str(demo.home)])
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        raw_files = [row[0] for row in con.execute("SELECT raw_file FROM meta.loads").fetchall()]
    # too wide for 80 columns: one block per delivery, every raw file whole on its line
    assert all(f"raw file: {raw}" in seen(listed.output).splitlines() for raw in raw_files)
    assert cut_cells(seen(listed.output)) == []
    sources = seen(runner.invoke(app, ["sources", "--home", str(demo.home)]).output)
    assert cut_cells(sources) == [] and "dataset:   employees_qualification_residence" in sources
    assert all(len(line) <= 80 for line in sources.splitlines())


@pytest.mark.integration
def test_through_a_pipe_nothing_is_coloured_boxed_or_cut(demo: Demo) -> None:
    # the test runner is a pipe: the console the commands get by default
    listed = runner.invoke(app, ["deliveries", "list", "--home", str(demo.home)])
    status = runner.invoke(app, ["status", "--home", str(demo.home)])
    for text in (listed.output, status.output):
        assert "\x1b[" not in text and not any(box in text for box in BOXES)
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        loads = con.execute("SELECT content_sha256, raw_file FROM meta.loads").fetchall()
    rows = [line for line in listed.output.splitlines() if line[:16] in {sha[:16] for sha, _ in loads}]
    assert len(rows) == len(loads) and all(
        raw in row for row, (_, raw) in zip(sorted(rows), sorted(loads), strict=True)
    )


@pytest.mark.integration
def test_sql_prints_csv_json_and_markdown_for_programs(demo: Demo) -> None:
    query = "SELECT dataset, ref_date, hessen, sachsen FROM marts.state_comparison ORDER BY ALL LIMIT 5"
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        expected = con.execute(query).fetchall()
    as_csv = runner.invoke(app, ["sql", query, "--format", "csv", "--home", str(demo.home)])
    table = list(csv.reader(io.StringIO(as_csv.output)))
    assert table[0] == ["dataset", "ref_date", "hessen", "sachsen"]
    assert [(r[0], r[1], float(r[2]), float(r[3])) for r in table[1:]] == [
        (d, str(day), h, s) for d, day, h, s in expected
    ]
    as_json = runner.invoke(app, ["sql", query, "-f", "json", "--home", str(demo.home)])
    objects = [json.loads(line) for line in as_json.output.splitlines()]
    assert [(o["dataset"], o["hessen"]) for o in objects] == [(d, h) for d, _, h, _ in expected]
    as_markdown = runner.invoke(app, ["sql", query, "-f", "markdown", "--home", str(demo.home)])
    assert as_markdown.output.splitlines()[:2] == ["| dataset | ref_date | hessen | sachsen |", "|---|---|---|---|"]
    assert len(as_markdown.output.splitlines()) == 2 + len(expected)


@pytest.mark.integration
def test_an_xlsx_export_of_the_comparison_carries_its_sources(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "comparison.xlsx"
    result = runner.invoke(app, ["export", "marts.indicator_comparison", "--out", str(out), "--home", str(demo.home)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        relation = con.sql("SELECT * FROM marts.indicator_comparison")
        columns, count = relation.columns, len(relation.fetchall())
        sources = con.execute("SELECT DISTINCT sources FROM marts.indicator_comparison").fetchall()
        bases = con.execute("SELECT DISTINCT census_basis FROM marts.indicator_comparison").fetchall()
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["data (SYNTHETIC)", "sources"]
    data = list(book["data (SYNTHETIC)"].iter_rows(values_only=True))
    assert list(data[0]) == columns and len(data) == 1 + count
    listed = [[str(v) for v in row] for row in book["sources"].iter_rows(values_only=True) if row and row[0]]
    assert listed[0][0].startswith("SYNTHETIC figures")
    tables = {row[0] for row in listed if re.fullmatch(r"[0-9A-Z-]+-[0-9A-Z-]+", row[0])}
    assert tables == {t for (s,) in sources if s for t in s.split(", ")}
    licences = [row[5] for row in listed if row[0] in tables]
    assert all("Datenlizenz Deutschland" in licence for licence in licences)
    named_bases = {row[0] for row in listed if row[0].startswith("zensus")}
    assert named_bases == {b for (s,) in bases if s for b in s.split("+")}
    assert f"{count} row(s) written to {out}" in " ".join(result.output.split())


@pytest.mark.integration
def test_a_land_exports_as_parquet_and_csv_whole_with_its_sources(demo: Demo, tmp_path: Path) -> None:
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        sachsen = con.execute("SELECT count(*) FROM marts.population WHERE state = '14'").fetchone()
        tables = con.execute("SELECT DISTINCT source_table FROM marts.population WHERE state = '14'").fetchall()
    parquet = tmp_path / "sachsen.parquet"
    result = runner.invoke(
        app, ["export", "marts.population", "--state", "14", "-o", str(parquet), "--home", str(demo.home)]
    )
    assert result.exit_code == 0, result.output
    assert sachsen is not None and pq.read_table(parquet).num_rows == sachsen[0]
    said = json.loads(pq.read_metadata(parquet).metadata[b"demografie.sources"])
    assert {t["source_table"] for t in said["tables"]} == {t for (t,) in tables} and said["synthetic"] is True
    query = "SELECT region_code, ref_date, population FROM marts.population WHERE state = '06'"
    as_csv = tmp_path / "hessen.csv"
    result = runner.invoke(app, ["export", "--query", query, "-o", str(as_csv), "--home", str(demo.home)])
    assert result.exit_code == 0, result.output
    with as_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["region_code", "ref_date", "population"] and len(rows) > 100


@pytest.mark.integration
def test_a_map_column_is_exported_as_json_text_where_the_format_has_no_maps(demo: Demo, tmp_path: Path) -> None:
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        expected = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE cardinality(source_dims) > 0) FROM marts.land_totals"
        ).fetchone()
    out = tmp_path / "totals.csv"
    result = runner.invoke(app, ["export", "marts.land_totals", "-o", str(out), "--home", str(demo.home)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    split = [json.loads(row["source_dims"]) for row in rows if row["source_dims"] not in ("", "{}")]
    assert expected is not None and (len(rows), len(split)) == expected and all(isinstance(d, dict) for d in split)


@pytest.mark.integration
def test_a_failed_export_leaves_the_earlier_file_and_no_temporary(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "kept.csv"
    out.write_text("an earlier export\n", "utf-8")
    broken = runner.invoke(app, ["export", "--query", "SELECT nonsense", "-o", str(out), "--home", str(demo.home)])
    assert broken.exit_code == 1 and "Not exported: the query failed" in broken.output
    assert out.read_text("utf-8") == "an earlier export\n" and sorted(tmp_path.iterdir()) == [out]
    suffix = runner.invoke(app, ["export", "marts.population", "-o", str(tmp_path / "x.ods"), "--home", str(demo.home)])
    assert suffix.exit_code == 1 and "must end in .csv, .parquet, .xlsx" in suffix.output
    outside = runner.invoke(app, ["export", "main.secrets; DROP", "-o", str(out), "--home", str(demo.home)])
    assert outside.exit_code == 1 and "is not a relation of the warehouse" in outside.output
    files = runner.invoke(
        app, ["export", "--query", "SELECT * FROM read_csv('/etc/passwd')", "-o", str(out), "--home", str(demo.home)]
    )
    assert files.exit_code == 1 and out.read_text("utf-8") == "an earlier export\n"


def test_find_lists_the_care_tables_offline_and_says_which_are_catalogued(tmp_path: Path) -> None:
    import demografie.reference

    expected = set()
    for publisher, name in CATALOGUES.items():
        text = (Path(demografie.reference.__file__).parent / "catalogues" / name).read_text("utf-8")
        expected |= {
            (publisher, row["Code"]) for row in csv.DictReader(io.StringIO(text)) if "pflege" in row["Content"].lower()
        }
    result = runner.invoke(app, ["find", "Pflege", "--limit", "1000", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    found = set(re.findall(r"^(regio|destatis|zensus) (\S+)  ", result.output, re.M))
    assert found == expected and len(found) > 20
    assert "regio 22411-02-03-4" in result.output and "in the catalog as care_recipients" in result.output
    assert "[[dataset]]" in result.output and 'measures = "keep_codes"' in result.output


def test_find_asks_the_publishers_themselves_with_live(
    publisher: GenesisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for prefix in ("GENESIS_DESTATIS", "GENESIS_ZENSUS"):
        for part in ("USERNAME", "PASSWORD", "TOKEN"):
            monkeypatch.delenv(f"{prefix}_{part}", raising=False)
    result = runner.invoke(
        app, ["find", "Bevölkerung", "Kreise", "--live", "--publisher", "regio", "--home", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "1 table(s) in the publishers' own search (find/find)" in result.output
    assert "regio 12411-01-01-4" in result.output and "in the catalog as population" in result.output
    everyone = runner.invoke(app, ["find", "Beschäftigte", "--live", "--home", str(tmp_path)])
    assert "regio 13111-01-03-4" in everyone.output
    assert "destatis: not asked, no credentials (GENESIS_DESTATIS_USERNAME or _TOKEN)" in everyone.output


def test_version_names_the_parts_that_decide_the_figures() -> None:
    import duckdb as duck

    from demografie import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"demografie {__version__}"
    assert f"duckdb {duck.__version__}" in lines and f"prefect {version('prefect')}" in lines


def test_an_error_at_80_columns_names_its_path_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "a rather long folder name for the data home of the working group" / "demografie"
    monkeypatch.setattr(output, "err", terminal(80))
    result = runner.invoke(app, ["sql", "SELECT 1", "--home", str(home)])
    assert result.exit_code == 2
    assert f"No warehouse at {home / 'warehouse.duckdb'}." in seen(result.output).splitlines()[0]


def test_find_offers_the_entry_for_the_user_catalog_the_home_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "elsewhere" / "my-catalog.toml"
    mine.parent.mkdir()
    mine.write_text("", "utf-8")
    monkeypatch.setenv("DEMOGRAFIE_CATALOG", str(mine))
    result = runner.invoke(app, ["find", "22411-02-01-4", "--home", str(tmp_path / "home")])
    assert f"To load 22411-02-01-4 as published, add to {mine}:" in result.output

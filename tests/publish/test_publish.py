"""For people: the data dictionary and the visual report, the report rendered in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.publish.report import CHARTS
from demografie.settings import Paths

runner = CliRunner()
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """Debian's chromium; under CI its absence fails the test (`.ci/run` installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium not found (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def marts(home: Path) -> dict[str, list[tuple[str, str]]]:
    """Every mart with its (column, comment) pairs, read from the warehouse."""
    with duckdb.connect(str(Paths.from_env(str(home)).warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
            "ORDER BY table_name, column_index"
        ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, comment in rows:
        found.setdefault(table, []).append((column, comment))
    return found


def test_the_data_dictionary_describes_every_mart_column_and_licence(all_samples_home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", "--home", str(all_samples_home), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "data-dictionary.md").read_text("utf-8")
    page = (tmp_path / "data-dictionary.html").read_text("utf-8")
    for mart, columns in marts(all_samples_home).items():
        assert f"### `marts.{mart}`" in markdown
        assert f'id="marts.{mart}"' in page
        for column, comment in columns:
            assert f"| `{column}` |" in markdown and comment.replace("|", "\\|") in markdown
    age_structure = markdown.split("### `marts.age_structure`")[1].split("###")[0]
    assert "`12411-04-02-4`" in age_structure.split("Source tables in this warehouse: ")[1].splitlines()[0]
    assert "Licences: Datenlizenz Deutschland" in age_structure
    assert "`core.observations_as_of` (table function)" in markdown
    assert "Hessisches Statistisches Landesamt" in markdown and "Datenlizenz Deutschland" in markdown
    parser = HTMLParser()
    parser.feed(page)
    parser.close()


class ChartFinder(HTMLParser):
    """Which chart containers of the rendered page hold an SVG drawn by plotly."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__()
        self.ids, self.open, self.depth, self.drawn = ids, "", 0, set[str]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.open:
            self.depth += 1
            if tag == "svg" and "main-svg" in (attributes.get("class") or ""):
                self.drawn.add(self.open)
        elif attributes.get("id") in self.ids and tag == "div":
            self.open, self.depth = str(attributes["id"]), 1

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.depth -= 1
            if self.depth == 0:
                self.open = ""


def test_the_report_draws_every_chart_in_a_real_browser(all_samples_home: Path, tmp_path: Path) -> None:
    browser = chromium()
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--home", str(all_samples_home), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "7 chart(s) drawn" in " ".join(result.output.split())
    html = target.read_text("utf-8")
    assert "<script src=" not in html  # self-contained: opens offline
    rendered = subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            target.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    finder = ChartFinder({chart.id for chart in CHARTS})
    finder.feed(rendered)
    # the samples hold moves by age for 2015 only, and no population by age of that year; and no
    # projection (12421 reaches a warehouse only through the local server: test_projections.py)
    assert finder.drawn == {chart.id for chart in CHARTS} - {"life-phases", "projections"}
    assert 'id="life-phases">No data for this chart in this warehouse. Load migration by age group' in rendered
    # every chart has its bars or lines, not just an empty frame
    assert len(re.findall(r'class="[^"]*\b(?:trace bars|trace scatter)\b', rendered)) >= 10


def test_a_chart_without_data_says_what_to_load(tmp_path: Path) -> None:
    from demografie import catalog
    from demografie.warehouse.build import build_warehouse

    paths = Paths.from_env(str(tmp_path))
    paths.ensure()
    build_warehouse(paths, catalog.DATASETS)
    result = runner.invoke(app, ["report", "--home", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text("utf-8")
    assert html.count("No data for this chart in this warehouse.") == len(CHARTS)
    assert "Load unemployment with Land rows, e.g. 13211-02-05-4." in html


def test_docs_and_report_need_a_warehouse(tmp_path: Path) -> None:
    for command in ("docs", "report"):
        result = runner.invoke(app, [command, "--home", str(tmp_path)])
        assert result.exit_code == 2 and "No warehouse at" in result.output

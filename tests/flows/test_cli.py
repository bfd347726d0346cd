"""The command line as a user meets it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from demografie import catalog, cli
from demografie.cli import app
from tests.support import REPO, sample_path

runner = CliRunner()


def test_run_without_credentials_says_how_to_get_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GENESIS_REGIO_USERNAME", raising=False)
    monkeypatch.delenv("GENESIS_DESTATIS_USERNAME", raising=False)
    result = runner.invoke(app, ["run", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "No credentials for Regionaldatenbank Deutschland" in result.output
    assert "No credentials for Destatis GENESIS-Online" in result.output
    assert "regionalstatistik.de" in result.output and "make demo" in result.output


def test_sql_without_a_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "No warehouse at" in result.output


@pytest.mark.integration
@pytest.mark.usefixtures("prefect_harness")
def test_demo_loads_synthetic_figures_labelled_as_such(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GENESIS_REGIO_URL", "GENESIS_REGIO_USERNAME", "GENESIS_REGIO_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["demo", "--home", str(tmp_path), "--from-year", "2022", "--to-year", "2024"])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "warehouse.duckdb") in result.output.replace("\n", "")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT DISTINCT synthetic FROM core.observations").fetchall() == [(True,)]
        kreise = con.execute(
            "SELECT state, count(DISTINCT region_code) FROM marts.population "
            "WHERE region_level = 'kreis' GROUP BY state ORDER BY state"
        ).fetchall()
        assert kreise == [("06", 26), ("14", 13)]
        assert con.execute("SELECT DISTINCT synthetic FROM marts.state_comparison").fetchall() == [(True,)]
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM marts.employees", "--home", str(tmp_path)])
    assert result.exit_code == 0 and "1 row(s)" in result.output
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--home", str(tmp_path), "--out", str(report)])
    assert result.exit_code == 0 and "8 chart(s) drawn" in " ".join(result.output.split())
    written = report.read_text("utf-8")
    assert "This warehouse holds <strong>synthetic</strong> figures" in written
    assert '<div id="life-phases"' in written and "Synthetic figures (demo), not official statistics." in written
    for theme in ("skilled-workers", "services", "projections"):  # every section of the themes is drawn
        assert f'<div id="{theme}"' in written, theme

    again = runner.invoke(app, ["demo", "--home", str(tmp_path), "--from-year", "2022", "--to-year", "2024"])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output and str(tmp_path / "warehouse.duckdb") in again.output.replace("\n", "")


def test_run_with_an_unknown_dataset_names_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--dataset", "nonsense", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown dataset or table 'nonsense'" in result.output and "population (12411-01-01-4)" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_sources_lists_every_dataset_and_the_vintage_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.output, "console", Console(width=250))  # a wide terminal: one line per dataset
    sample = sample_path("regio_tabellencsv_13211-02-05-4_2023.csv")
    ingested = runner.invoke(app, ["ingest", str(sample), "--home", str(tmp_path)])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(app, ["sources", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 5}
    assert {d.name for d in catalog.DATASETS} <= set(lines)
    stand = sample.read_text("cp1252").strip().splitlines()[-1].removeprefix("Stand: ")  # "09.07.2026 / 11:01:42"
    day, time = stand.split(" / ")
    assert f"{day[6:]}-{day[3:5]}-{day[:2]} {time[:5]}" in lines["unemployment"]
    assert "2023–2023" in lines["unemployment"] and "regio 13211-02-05-4" in lines["unemployment"]
    assert "nightly" in lines["unemployment"] and "ingest" in lines["gemeindestatistik_he"]


def test_the_readme_settings_tables_are_generated_from_the_declarations() -> None:
    from demografie.settings import markdown_table

    readme_path = REPO / "README.md"
    readme = readme_path.read_text("utf-8")
    start = readme.index("<!-- settings: generated")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- settings end -->")
    expected = readme[:start] + markdown_table() + "\n" + readme[end:]
    if os.environ.get("DEMOGRAFIE_WRITE_DOCS") == "1":
        readme_path.write_text(expected, "utf-8")
    assert readme == expected, "README's settings tables are out of date: run DEMOGRAFIE_WRITE_DOCS=1 make pytest"

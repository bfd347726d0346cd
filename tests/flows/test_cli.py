"""The command line as a user meets it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demografie import catalog
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


def test_run_with_an_unknown_dataset_names_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--dataset", "nonsense", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown dataset or table 'nonsense'" in result.output and "population (12411-01-01-4)" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_sources_lists_every_dataset_and_the_vintage_held(tmp_path: Path) -> None:
    # through a pipe (as here) every dataset is one plain line, its name first
    sample = sample_path("regio_tabellencsv_13211-02-05-4_2023.csv")
    ingested = runner.invoke(app, ["ingest", str(sample), "--home", str(tmp_path)])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(app, ["sources", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert {d.name for d in catalog.DATASETS} <= set(lines)
    stand = sample.read_text("cp1252").strip().splitlines()[-1].removeprefix("Stand: ")  # "09.07.2026 / 11:01:42"
    day, time = stand.split(" / ")
    assert f"{day[6:]}-{day[3:5]}-{day[:2]} {time[:5]}" in lines["unemployment"]
    assert "2023–2023" in lines["unemployment"] and lines["unemployment"].split()[1:3] == ["regio", "13211-02-05-4"]
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

"""The command line as a user meets it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.flows.cli import app

runner = CliRunner()


def test_run_without_credentials_says_how_to_get_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GENESIS_REGIO_USERNAME", raising=False)
    result = runner.invoke(app, ["run", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "No credentials for the Regionaldatenbank" in result.output
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

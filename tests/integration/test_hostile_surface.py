"""The hostile round against the newer surface (user catalog, uncatalogued tables, deliveries,
geodata, maps, the build that reuses the live warehouse, tuning, signals): each defect tried as a
user would meet it, asserting what the user sees (the exact refusal, the unchanged warehouse, the
absent secret). docs/reliability.md lists them (tests/reliability.py, SURFACE_CASES)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.flows.cli import app
from demografie.flows.ingest import ingest
from demografie.settings import Paths
from demografie.warehouse.lake import committed_entries
from tests.support import sample_path

pytestmark = pytest.mark.usefixtures("prefect_harness")
runner = CliRunner()
WIDE = {"COLUMNS": "300"}
MIXED_LIVING = "regio_v5_ffcsv_12211-Z-11_quality-on_de.csv"  # statistic 12211, every Kreis
SIXTEENTH = "destatis_v5_ffcsv_12421-0003_16kbv_2026-09_EXCERPT.csv"


def rows_of(name: str) -> tuple[list[str], list[list[str]]]:
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle, delimiter=";"))
    return header, rows


def flat_file(target: Path, header: list[str], rows: list[list[str]]) -> Path:
    target.write_text("\n".join(";".join(r) for r in [header, *rows]) + "\n", "utf-8")
    return target


def query(home: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- wrong figures ------------------------------------------------------------------------------


def test_negative_percent_values_of_an_uncatalogued_table_load_as_published(tmp_path: Path) -> None:
    """A change in percent is negative by nature; only harmonised shares are bound to 0-100."""
    header, rows = rows_of(MIXED_LIVING)
    at = {name: i for i, name in enumerate(header)}
    for i, row in enumerate(rows):
        row[at["value"]], row[at["value_unit"]] = f"-{i},5", "%"
        row[at["value_variable_code"]], row[at["value_variable_label"]] = "VER001", "Veränderung zum Vorjahr"
    changes = flat_file(tmp_path / "12211-01-02-4_flat.csv", header, rows)  # no catalog entry
    home = tmp_path / "home"
    ingest([str(changes)], vintage=dt.datetime(2024, 5, 1), home=str(home))
    expected = sorted(
        (r[at["1_variable_attribute_code"]], float(r[at["value"]].replace(",", ".")))
        for r in rows
        if r[at["1_variable_attribute_code"]][:2] in ("06", "14")
    )
    held = query(home, "SELECT region_code, value FROM core.current_observations WHERE unit = 'percent' ORDER BY ALL")
    assert held == expected and min(v for _, v in expected) < 0


def projection_file(tmp_path: Path, unit: str, scale: float) -> tuple[Path, list[tuple[str, str, str, float]]]:
    header, rows = rows_of(SIXTEENTH)
    at = {name: i for i, name in enumerate(header)}
    expected = []
    for row in rows:
        published = float(row[at["value"]].replace(",", "."))
        row[at["value"]] = f"{published * scale:.1f}".replace(".", ",")
        row[at["value_unit"]] = unit
        if row[at["1_variable_attribute_code"]] in ("06", "14"):
            persons = 1000 * published
            expected.append(
                (row[at["1_variable_attribute_code"]], row[at["2_variable_attribute_code"]], row[at["time"]], persons)
            )
    return flat_file(tmp_path / "12421-0003_flat.csv", header, rows), sorted(expected)


@pytest.mark.parametrize(("unit", "scale"), [("1000", 1.0), ("Anzahl", 1000.0)])
def test_a_projection_is_scaled_by_the_unit_its_file_states(unit: str, scale: float, tmp_path: Path) -> None:
    """The same projected persons, published in thousands or in persons, give the same mart."""
    saved, expected = projection_file(tmp_path, unit, scale)
    ingest([str(saved)], vintage=dt.datetime(2025, 12, 8, 16, 49), home=str(tmp_path / "home"))
    held = query(
        tmp_path / "home",
        "SELECT region_code, variant, ref_date::VARCHAR, projected_population FROM marts.population_projection "
        "ORDER BY ALL",
    )
    assert held == expected


def test_a_negative_projection_in_thousands_is_refused(tmp_path: Path) -> None:
    saved, _ = projection_file(tmp_path, "1000", -1.0)
    result = runner.invoke(
        app, ["ingest", str(saved), "--vintage", "2025-12-08", "--home", str(tmp_path / "home")], env=WIDE
    )
    assert result.exit_code == 1
    assert "negative count(s) of persons, e.g. BEV050 " in result.output
    assert committed_entries(Paths.from_env(str(tmp_path / "home")).lake) == []


# --- unclear messages and crashes -------------------------------------------------------------------


def test_a_dataset_name_with_markup_is_printed_as_typed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "-d", "[/]", "--home", str(tmp_path)], env=WIDE)
    assert result.exit_code == 2
    assert "unknown dataset or table '[/]'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_table_code_with_a_trailing_newline_is_no_table_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "-d", "12411-01-01-4\n", "--home", str(tmp_path)], env=WIDE)
    assert result.exit_code == 2
    assert "unknown dataset or table '12411-01-01-4\\n'" in result.output
    assert not (tmp_path / "raw").exists()


TABLE_CSV = "regio_tabellencsv_12411-01-01-4_2018-12-31.csv"
UNEMPLOYED = "regio_tabellencsv_13211-02-05-4_2023.csv"


def two_deliveries(tmp_path: Path) -> Paths:
    home = tmp_path / "home"
    ingest([str(sample_path(TABLE_CSV)), str(sample_path(UNEMPLOYED))], home=str(home))
    return Paths.from_env(str(home))


@pytest.mark.parametrize("command", [["deliveries", "list"], ["sources"]])
def test_a_damaged_manifest_entry_is_named_by_every_command(command: list[str], tmp_path: Path) -> None:
    paths = two_deliveries(tmp_path)
    marker = sorted((paths.home / "lake" / "manifest").rglob("*.json"))[0]
    marker.write_text('{"load_id": "x", "dataset"', "utf-8")
    result = runner.invoke(app, [*command, "--home", str(paths.home)], env=WIDE)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    key = marker.relative_to(paths.home).as_posix()
    assert f"Error: {key}: damaged manifest entry" in result.output


def test_a_drop_whose_rebuild_fails_says_the_delivery_is_dropped(tmp_path: Path) -> None:
    paths = two_deliveries(tmp_path)
    entries = {e.source_table: e for e in committed_entries(paths.lake)}
    population = paths.home / "lake" / entries["12411-01-01-4"].lake_file
    data = population.read_bytes()
    population.write_bytes(data[:-60] + b"\xff" * 52 + data[-8:])  # the other table's file is damaged
    before = paths.warehouse.read_bytes()
    unemployed = entries["13211-02-05-4"]
    result = runner.invoke(
        app, ["deliveries", "drop", unemployed.content_sha256[:12], "--home", str(paths.home)], env=WIDE
    )
    assert result.exit_code == 1
    assert f"dropped {unemployed.content_sha256[:16]}: 13211-02-05-4" in result.output
    assert (
        "The delivery is dropped, but the warehouse could not be rebuilt; the previous one stays live" in result.output
    )
    assert "Build failed" not in result.output
    assert [e.source_table for e in committed_entries(paths.lake)] == ["12411-01-01-4"]
    assert paths.warehouse.read_bytes() == before

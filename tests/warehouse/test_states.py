"""Any Länder by configuration (DEMOGRAFIE_STATES): a third Land, Thüringen, from the recorded
Regionaldatenbank file that holds every Kreis of Germany; its figures as the file prints them, and
a home whose setting changes normalises what it holds again from raw/."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from demografie.laender import LAND, Land
from demografie.settings import Settings
from demografie.usecases.rebuild import lags_behind, rebuild
from demografie.warehouse.sqlfiles import per_state
from tests.support import POPULATION, fill_lake, sample_path

THREE = {"DEMOGRAFIE_STATES": "06,14,16"}


def published(region: str) -> dict[tuple[str, str], float]:
    """(date, sex code) -> the figure of `region` as the recorded flat file prints it."""
    with sample_path(POPULATION).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {
        (row["time"], row["2_variable_attribute_code"]): float(row["value"])
        for row in rows
        if row["1_variable_attribute_code"] == region and row["value"].isdigit()
    }


def warehouse_figures(home: Path, region: str) -> dict[tuple[str, str], float]:
    sexes = {"total": "", "female": "GESW", "male": "GESM"}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT ref_date, sex, value FROM core.current_observations "
            "WHERE region_code = ? AND measure = 'population'",
            [region],
        ).fetchall()
    return {(str(day), sexes[sex]): value for day, sex, value in rows}


def states_held(home: Path) -> list[str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return [s for (s,) in con.execute("SELECT DISTINCT state FROM core.observations ORDER BY 1").fetchall()]


def test_a_home_of_the_default_two_holds_no_third_land(tmp_path: Path) -> None:
    fill_lake(tmp_path, [sample_path(POPULATION)])
    rebuild(Settings.from_env(tmp_path, {}))
    assert states_held(tmp_path) == ["06", "14"]


def test_a_third_land_is_loaded_as_published_and_a_changed_setting_reaches_what_is_held(tmp_path: Path) -> None:
    fill_lake(tmp_path, [sample_path(POPULATION)])  # loaded for the default two
    two = Settings.from_env(tmp_path, {})
    rebuild(two)
    assert not lags_behind(two)

    three = Settings.from_env(tmp_path, THREE)
    assert lags_behind(three)  # a run of the new setting builds, though nothing new was fetched
    rebuilt = rebuild(three)

    assert rebuilt.notes == [
        "population: the Länder to load changed (DEMOGRAFIE_STATES: 06,14 -> 06,14,16); "
        "1 delivery(ies) normalised again from raw/"
    ]
    assert states_held(tmp_path) == ["06", "14", "16"]
    erfurt = published("16051")
    assert len(erfurt) >= 3
    assert warehouse_figures(tmp_path, "16051") == erfurt
    assert warehouse_figures(tmp_path, "06412") == published("06412")
    assert not lags_behind(three)


def test_the_third_land_has_its_kreise_checked_and_eisenach_only_until_it_joined(tmp_path: Path) -> None:
    fill_lake(tmp_path, [sample_path(POPULATION)])
    rebuild(Settings.from_env(tmp_path, THREE))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        missing = con.execute(
            "SELECT violations FROM meta.check_results WHERE check_name = 'expected_regions_present'"
        ).fetchall()
        kreise = con.execute(
            "SELECT count(DISTINCT k.region_code) FROM core.regions AS k WHERE k.state = '16' "
            "AND k.region_level = 'kreis' AND core.region_existed(k.region_code, DATE '2024-12-31')"
        ).fetchall()
        eisenach = con.execute(
            "SELECT core.region_existed('16056', DATE '2020-12-31'), core.region_existed('16056', DATE '2024-12-31')"
        ).fetchall()
    assert missing == [(0,)]
    assert kreise == [(22,)]
    assert eisenach == [(True, False)]


def test_the_laender_are_those_the_publishers_print_with_a_column_and_colour_each() -> None:
    with sample_path("genesis_v5_ffcsv_13111-0005_de.csv").open(encoding="utf-8-sig", newline="") as handle:
        printed = {
            (row["1_variable_attribute_code"], row["1_variable_attribute_label"])
            for row in csv.DictReader(handle, delimiter=";")
            if row["1_variable_code"] == "DLAND"
        }
    assert {(land.key, land.name) for land in LAND.values()} == printed
    assert all(land.column.isidentifier() and land.column.isascii() for land in LAND.values())
    assert len({land.column for land in LAND.values()}) == len({land.colour for land in LAND.values()}) == 16


def test_a_line_naming_a_land_is_written_once_per_land_in_order() -> None:
    sql = "SELECT\n    max(v) FILTER (WHERE state = '{state}') AS {column},\n    x\nCOMMENT IS '{name}';"
    lands = [LAND["16"], Land("99", "O'Land", "oland", "#000000")]
    assert per_state(sql, lands).splitlines() == [
        "SELECT",
        "    max(v) FILTER (WHERE state = '16') AS thueringen,",
        "    max(v) FILTER (WHERE state = '99') AS oland,",
        "    x",
        "COMMENT IS 'Thüringen';",
        "COMMENT IS 'O''Land';",
    ]

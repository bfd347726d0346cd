"""Real publisher files of other vintages and languages, each loaded with `demografie ingest` and checked
figure by figure: English flat files, a census table CSV whose date is only in its title block, the
older label sets of the school tables, a table CSV cut by hand, uncatalogued table CSVs and flat files,
and an uncatalogued table of population stocks. Expected figures are read from the raw files here (csv
and zipfile), never by the parsers under test."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.flows.ingest import ingest
from demografie.settings import Paths
from demografie.usecases.ingest import IngestError
from tests.support import sample_path

ENGLISH_ZENSUS = "zensus_v5_ffcsv_1000A-0000_rec2024-12_en.zip"
CENSUS_2011 = "regio_tabellencsv_12111-01-01-4_zensus2011_stand2017-10-10_utf8_EXCERPT.csv"
OLD_VOCATIONAL_LEAVERS = "regio_tabellencsv_21121-02-02-4_2006-2015_stand2018-02.csv"
OLD_LEAVERS = "regio_tabellencsv_21111-02-06-4_2014-2015_stand2017-10-10_utf8_EXCERPT.csv"
OLD_PUPILS = "regio_tabellencsv_21111-01-03-4_sj2015_stand2017-10-10_utf8_EXCERPT.csv"
DAYCARE_22543 = "regio_tabellencsv_22543-01-02-4_stand2017-10-10_utf8_EXCERPT.csv"
STOCKS_12411_0010 = "destatis_v5_ffcsv_12411-0010_2026-09_EXCERPT.csv"
DESTATIS_2026 = ("12612-0100", "21211-0106", "22421-0011")
HAND_CUT = "destatis_tabellencsv_12421-0004_14kbv_MODIFIED.csv"
# 12411-0010's metadata says Stand 22.01.2025, older than the 31.12.2025 figures the file holds: the
# day it was fetched (its herkunft.json) is the Stand of these figures
STOCKS_FETCHED = datetime(2026, 9, 28, 16, 39, 15)
runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    home = tmp_path_factory.mktemp("real-layouts")
    files = [ENGLISH_ZENSUS, CENSUS_2011, OLD_VOCATIONAL_LEAVERS, OLD_LEAVERS, OLD_PUPILS, DAYCARE_22543]
    ingest([str(sample_path(name)) for name in files], home=str(home))
    for table in DESTATIS_2026:
        ingest([str(sample_path(f"destatis-2026-09/{table}_flatfile.csv"))], table=table, home=str(home))
    ingest([str(sample_path(STOCKS_12411_0010))], table="12411-0010", vintage=STOCKS_FETCHED, home=str(home))
    return home


@pytest.fixture
def con(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(Paths.from_env(home).warehouse), read_only=True) as connection:
        yield connection


def table_csv(name: str) -> list[list[str]]:
    with sample_path(name).open(encoding="utf-8" if "utf8" in name else "cp1252", newline="") as handle:
        return [[" ".join(cell.split()) for cell in row] for row in csv.reader(handle, delimiter=";")]


def flat_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def current(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return con.execute(sql, list(params)).fetchall()


# --- English flat files ---------------------------------------------------------------------------


def test_an_english_flat_file_of_the_zensus_database_loads_as_the_german_one(con: duckdb.DuckDBPyConnection) -> None:
    with zipfile.ZipFile(sample_path(ENGLISH_ZENSUS)) as archive:
        rows = flat_rows(archive.read(archive.namelist()[0]))
    assert {row["value_unit"] for row in rows} == {"number"}
    frankfurt = next(row for row in rows if row["1_variable_attribute_code"] == "064120000000")
    held = current(
        con,
        "SELECT value, unit, measure, census_basis FROM core.current_observations "
        "WHERE source_table = '1000A-0000' AND region_code = '06412000'",
    )
    assert held == [(float(frankfurt["value"]), "count", "population_census", "zensus2022")]
    hessen_gemeinden = [row for row in rows if row["1_variable_attribute_code"].startswith("06")]
    count = current(con, "SELECT count(*) FROM core.current_observations WHERE source_table = '1000A-0000'")
    saxon = [row for row in rows if row["1_variable_attribute_code"].startswith("14")]
    assert count == [(len(hessen_gemeinden) + len(saxon),)]


@pytest.mark.parametrize("table", DESTATIS_2026)
def test_destatis_flat_files_of_2026_load_as_published(con: duckdb.DuckDBPyConnection, table: str) -> None:
    rows = flat_rows(sample_path(f"destatis-2026-09/{table}_flatfile.csv").read_bytes())
    totals = [
        row
        for row in rows
        if row["1_variable_attribute_code"] in ("06", "14")
        and all(row[f"{i}_variable_attribute_code"] == "" for i in range(2, 10) if f"{i}_variable_code" in row)
        and row["value"] not in ("-", ".", "...", "/", "x")
    ]
    assert totals, table
    for row in totals:
        day = date.fromisoformat(row["time"] if len(row["time"]) == 10 else f"{row['time']}-12-31")
        held = current(
            con,
            "SELECT value FROM core.current_observations WHERE source_table = ? AND region_code = ? "
            "AND ref_date = ? AND source_measure = ? AND list_filter(map_values(source_dims), lambda x: x <> '') = []",
            table,
            row["1_variable_attribute_code"],
            day,
            row["value_variable_code"],
        )
        assert held == [(float(row["value"].replace(",", ".")),)], (table, row)


# --- a census table CSV with its reference date in the title block ---------------------------------


def test_a_census_table_csv_takes_its_date_from_the_title_block(con: duckdb.DuckDBPyConnection) -> None:
    lines = table_csv(CENSUS_2011)
    assert lines[2][0] == "- Stichtag 09.05.2011 -"
    hessen = next(line for line in lines if line[0] == "06")
    frankfurt = next(line for line in lines if line[0] == "06412")
    held = current(
        con,
        "SELECT region_code, nationality, value, census_basis FROM core.current_observations "
        "WHERE source_table = '12111-01-01-4' AND ref_date = DATE '2011-05-09' AND sex = 'total' "
        "AND region_code IN ('06', '06412') AND measure = 'population_census' ORDER BY ALL",
    )
    assert held == [
        ("06", "foreign", float(hessen[8]), "zensus2011"),
        ("06", "german", float(hessen[5]), "zensus2011"),
        ("06", "total", float(hessen[2]), "zensus2011"),
        ("06412", "foreign", float(frankfurt[8]), "zensus2011"),
        ("06412", "german", float(frankfurt[5]), "zensus2011"),
        ("06412", "total", float(frankfurt[2]), "zensus2011"),
    ]


# --- older label sets of the school tables ---------------------------------------------------------


def test_older_label_sets_of_the_school_tables_reach_the_schools_mart(con: duckdb.DuckDBPyConnection) -> None:
    vocational = next(line for line in table_csv(OLD_VOCATIONAL_LEAVERS) if line[:2] == ["2015", "06"])
    leavers = next(line for line in table_csv(OLD_LEAVERS) if line[:2] == ["2015", "06"])
    pupils = next(line for line in table_csv(OLD_PUPILS) if line[0] == "06" and line[2] == "Insgesamt")
    mart = current(
        con,
        "SELECT school_leavers, school_leavers_without_hsa, school_leavers_abitur, vocational_leavers, "
        "general_school_pupils FROM marts.schools WHERE region_code = '06' AND year = 2015",
    )
    assert mart == [(float(leavers[3]), float(leavers[5]), float(leavers[15]), float(vocational[3]), float(pupils[4]))]


HARMONISED = {
    "21121-02-02-4": {
        "vocational_leavers",
        "vocational_leavers_hsa",
        "vocational_leavers_intermediate",
        "vocational_leavers_fhr",
        "vocational_leavers_abitur",
        "vocational_leavers_fhr_school_part",
    },
    "21111-02-06-4": {
        "school_leavers",
        "school_leavers_without_hsa",
        "school_leavers_hsa",
        "school_leavers_intermediate",
        "school_leavers_fhr_school_part",
        "school_leavers_fhr",
        "school_leavers_abitur",
    },
    "21111-01-03-4": {"pupils", "pupils_grade_7", "pupils_grade_11", "schools"},
}


@pytest.mark.parametrize("table", sorted(HARMONISED))
def test_every_label_of_the_older_sets_is_harmonised(con: duckdb.DuckDBPyConnection, table: str) -> None:
    measures = {
        m for (m,) in current(con, "SELECT DISTINCT measure FROM core.observations WHERE source_table = ?", table)
    }
    assert measures == HARMONISED[table]


def test_the_negative_count_guard_sees_the_older_label_sets(tmp_path: Path, prefect_harness: None) -> None:
    raw = sample_path(OLD_VOCATIONAL_LEAVERS).read_bytes()
    line = next(part for part in raw.split(b"\n") if part.startswith(b"2015;06412;"))
    cells = line.split(b";")
    broken = raw.replace(line, b";".join([*cells[:3], b"-" + cells[3], *cells[4:]]))
    path = tmp_path / OLD_VOCATIONAL_LEAVERS
    path.write_bytes(broken)
    with pytest.raises(IngestError, match=r"1 negative count\(s\) of persons, e.g. .* 06412 2015-12-31"):
        ingest([str(path)], home=str(tmp_path / "home"))
    assert not (tmp_path / "home" / "lake").exists() or not any((tmp_path / "home" / "lake").rglob("*.parquet"))


# --- a table CSV cut by hand ------------------------------------------------------------------------


def test_a_table_csv_cut_by_hand_loads_with_table_and_vintage(tmp_path: Path, prefect_harness: None) -> None:
    path = str(sample_path(HAND_CUT))
    result = runner.invoke(app, ["ingest", path, "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "name it with --table (and its Stand with --vintage)" in " ".join(result.output.split())
    result = runner.invoke(app, ["ingest", path, "--table", "12421-0004", "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "prints no Stand (its footer was cut?): give the publisher's Stand with --vintage" in " ".join(
        result.output.split()
    )
    result = runner.invoke(
        app, ["ingest", path, "--table", "12421-0004", "--vintage", "2019-06-27", "--home", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    with sample_path(HAND_CUT).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    dates = rows[6][5:]
    hessen = next(r for r in rows if r[:2] == ["Hessen", "BEV-VARIANTE-02"] and r[3:5] == ["Insgesamt", "Insgesamt"])
    with duckdb.connect(str(Paths.from_env(tmp_path).warehouse), read_only=True) as con:
        held = con.execute(
            "SELECT ref_date::VARCHAR, projected_population, edition, variant FROM marts.population_projection "
            "WHERE source_table = '12421-0004' AND region_code = '06' AND variant = 'BEV-VARIANTE-02' "
            "AND sex = 'total' AND age_from IS NULL AND ref_date <= DATE '2021-12-31' ORDER BY ref_date"
        ).fetchall()
    expected = [
        (f"{day[6:]}-{day[3:5]}-{day[:2]}", 1000 * float(value), 14, "BEV-VARIANTE-02")
        for day, value in zip(dates[:3], hessen[5:8], strict=True)
    ]
    assert held == expected


# --- uncatalogued tables ------------------------------------------------------------------------------


def test_an_uncatalogued_table_csv_keeps_its_row_classes(con: duckdb.DuckDBPyConnection) -> None:
    kassel = next(line for line in table_csv(DAYCARE_22543) if line[1:4:2] == ["06611", "Tageseinrichtung"])
    held = current(
        con,
        "SELECT value FROM core.current_observations WHERE source_table = '22543-01-02-4' "
        "AND region_code = '06611' AND source_dims['ZEILE'] = 'Tageseinrichtung' AND measure = 'betreute kinder' "
        "AND age_from IS NULL",
    )
    assert held == [(float(kassel[4]),)]
    listed = current(con, "SELECT topic, source FROM meta.datasets WHERE name = '22543-01-02-4'")
    assert listed == [("other", "regio")]


def test_an_uncatalogued_table_of_population_stocks_says_its_census_basis(con: duckdb.DuckDBPyConnection) -> None:
    rows = flat_rows(sample_path(STOCKS_12411_0010).read_bytes())
    hessen = {row["time"]: float(row["value"]) for row in rows if row["1_variable_attribute_code"] == "06"}
    held = current(
        con,
        "SELECT ref_date::VARCHAR, value, census_basis FROM core.current_observations "
        "WHERE source_table = '12411-0010' AND region_code = '06' AND ref_date IN ('2020-12-31', '2022-12-31') "
        "ORDER BY ref_date",
    )
    assert held == [
        ("2020-12-31", hessen["2020-12-31"], "zensus2011"),
        ("2022-12-31", hessen["2022-12-31"], "zensus2022"),
    ]


def test_the_16th_projections_germany_table_is_refused_with_the_reason(tmp_path: Path, prefect_harness: None) -> None:
    germany = sample_path("destatis-2026-09/12421-0001_flatfile.csv")
    assert {row["1_variable_attribute_code"] for row in flat_rows(germany.read_bytes())} == {"DG"}
    with pytest.raises(IngestError, match="no rows for the states 06, 14: the file holds other regions only"):
        ingest([str(germany)], table="12421-0001", home=str(tmp_path))

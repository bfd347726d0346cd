"""Every data table in the samples, through `ingest` into one warehouse, checked figure by figure.

The expected figures are read from the raw files here, with the csv module (or openpyxl for the
workbook) and the layout written out by hand, never with the parsers under test.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from demografie.transforms.errors import ParseError
from demografie.transforms.formats import parse
from tests.support import FLAT_FILES, TABLE_CSVS, V4_RECORDED, V5_JUNE_2025, sample_path

REGIONAL = {"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN"}
SYMBOLS = {"-", ".", "...", "/", "x", "()"}


# --- the flat files: one figure per file, found by a few lines of csv code ------------------------


@dataclass(frozen=True)
class FlatFigure:
    table: str
    measure: str
    region: str
    ref_date: date
    dims: dict[str, str]
    value: float


def first_state_figure(name: str, table: str) -> FlatFigure:
    """The first row of Hessen or Sachsen with a number, read with the csv module."""
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle, delimiter=";")
        header = next(rows)
        v4 = header[0] == "Statistik_Code" or any("__" in column for column in header)
        for row in rows:
            figure = _v4_figure(header, row, table) if v4 else _v5_figure(header, row, table)
            if figure is not None:
                return figure
    raise AssertionError(f"{name}: no Hessen or Sachsen row with a number")


def _v5_figure(header: list[str], row: list[str], table: str) -> FlatFigure | None:
    cells = dict(zip(header, row, strict=True))
    variables = [(cells[f"{i}_variable_code"], cells[f"{i}_variable_attribute_code"]) for i in _numbers(header)]
    return _figure(table, cells["value_variable_code"], cells["time"], variables, cells["value"])


def _v4_figure(header: list[str], row: list[str], table: str) -> FlatFigure | None:
    count = (len([c for c in header if "__" not in c]) - 5) // 4
    variables = [(row[5 + 4 * i], row[7 + 4 * i]) for i in range(count)]
    first_value = len(header) - len([c for c in header if "__" in c])
    time = row[4]
    if time[2] == ".":
        time = f"{time[6:]}-{time[3:5]}-{time[:2]}"
    return _figure(table, header[first_value].split("__")[0], time, variables, row[first_value])


def _numbers(header: list[str]) -> list[int]:
    return sorted(int(c.split("_")[0]) for c in header if c.endswith("_variable_code") and c[0].isdigit())


def _figure(table: str, measure: str, time: str, variables: list[tuple[str, str]], value: str) -> FlatFigure | None:
    regions = [attribute for code, attribute in variables if code in REGIONAL]
    if not regions or regions[0][:2] not in ("06", "14") or value in SYMBOLS:
        return None
    ref_date = date.fromisoformat(time if len(time) == 10 else f"{time}-12-31")
    dims = {code: attribute for code, attribute in variables if code not in REGIONAL}
    return FlatFigure(table, measure, regions[0], ref_date, dims, float(value.replace(",", ".")))


FLAT_CASES = [
    (name, name.split("_")[3] if name.startswith(("regio_v", "genesis_v")) else "")
    for names in FLAT_FILES.values()
    for name in names
]


@pytest.mark.parametrize(("name", "table"), FLAT_CASES, ids=[name for name, _ in FLAT_CASES])
def test_flat_file_figure_is_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    figure = first_state_figure(name, table)
    found = warehouse.execute(
        """
        SELECT value FROM core.observations
        WHERE source_table = ? AND source_measure = ? AND region_code = ? AND ref_date = ?
          AND map_keys(source_dims) = ? AND map_values(source_dims) = ?
        """,
        [
            figure.table,
            figure.measure,
            figure.region,
            figure.ref_date,
            sorted(figure.dims),
            [figure.dims[k] for k in sorted(figure.dims)],
        ],
    ).fetchall()
    assert figure.value in [row[0] for row in found], f"{name}: {figure} not among {found}"


# --- table CSVs and HSL publications: the layout of each file written out --------------------------


@dataclass(frozen=True)
class Pick:
    """Where a figure is in the raw file, and which observation it must be in the warehouse."""

    file: str
    row: Callable[[list[str]], bool]
    column: Callable[[list[list[str]]], int]  # given the header lines, the index of the value
    table: str
    region: str
    ref_date: date
    measure: str
    where: dict[str, Any] = field(default_factory=dict)


def at(index: int) -> Callable[[list[list[str]]], int]:
    return lambda header: index


def under(*labels: str) -> Callable[[list[list[str]]], int]:
    """The column whose header lines end with `labels` (one label per header line, bottom last)."""

    def find(header: list[list[str]]) -> int:
        rows = header[-len(labels) :]
        width = max(len(r) for r in rows)
        for j in range(width):
            if all(j < len(r) and " ".join(r[j].split()) == label for r, label in zip(rows, labels, strict=True)):
                return j
        raise AssertionError(f"no column under {labels}")

    return find


PICKS = (
    Pick(
        "regio_tabellencsv_12411-01-01-4_2018-12-31.csv",
        lambda r: r[0] == "06412",
        at(3),
        "12411-01-01-4",
        "06412",
        date(2018, 12, 31),
        "BEVSTD",
        {"sex": "male"},
    ),
    Pick(
        "regio_tabellencsv_11111-01-01-4_flaeche_qkm_2018-12-31.csv",
        lambda r: r[1] == "14612",
        at(3),
        "11111-01-01-4",
        "14612",
        date(2018, 12, 31),
        "Gebietsfläche",
    ),
    Pick(
        "regio_tabellencsv_12411-04-02-4_kreise_altersjahre_2020-12-31.csv",
        lambda r: r[0] == "06611" and r[2] == "45 bis unter 46 Jahre",
        at(5),
        "12411-04-02-4",
        "06611",
        date(2020, 12, 31),
        "BEVSTD",
        {"sex": "female", "age_from": 45, "age_to": 45},
    ),
    Pick(
        "regio_tabellencsv_12411-04-02-4-B_laender_altersjahre_2019-12-31.csv",
        lambda r: r[0] == "14" and r[2] == "unter 1 Jahr",
        at(3),
        "12411-04-02-4-B",
        "14",
        date(2019, 12, 31),
        "BEVSTD",
        {"age_from": 0, "age_to": 0},
    ),
    Pick(
        "regio_tabellencsv_13211-02-05-4_2015-2020.csv",
        lambda r: r[0] == "2017" and r[1] == "06412",
        at(13),
        "13211-02-05-4",
        "06412",
        date(2017, 12, 31),
        "Arbeitslosenquote bez. auf alle zivile Erwerbsp.",
        {"sex": "female"},
    ),
    Pick(
        "regio_tabellencsv_13211-02-05-4_2023.csv",
        lambda r: r[1] == "14612",
        at(4),
        "13211-02-05-4",
        "14612",
        date(2023, 12, 31),
        "Arbeitslose",
        {"nationality": "foreign"},
    ),
    Pick(
        "regio_tabellencsv_13211-02-05-4_2025.csv",
        lambda r: r[1] == "14",
        at(3),
        "13211-02-05-4",
        "14",
        date(2025, 12, 31),
        "Arbeitslose",
    ),
    Pick(
        "sachsen_genesis_tabellencsv_12410-010Z_bev_gemeinden_30-06.csv",
        lambda r: r[0] == "30.06.2022" and r[1] == "14612000",
        at(4),
        "12410-010Z",
        "14612000",
        date(2022, 6, 30),
        "Bevölkerung am 30.06.",
        {"sex": "male"},
    ),
    Pick(
        "sachsen_genesis_tabellencsv_12613-010Z_gestorbene_gemeinden.csv",
        lambda r: r[0] == "1995" and r[1] == "14521",
        at(3),
        "12613-010Z",
        "14521",
        date(1995, 12, 31),
        "Gestorbene",
    ),
    Pick(
        "sachsen_genesis_tabellencsv_12613-020Z_gestorbene_je1000_gemeinden.csv",
        lambda r: r[0] == "2020" and r[1] == "14628",
        at(3),
        "12613-020Z",
        "14628",
        date(2020, 12, 31),
        "Gestorbene je 1000 Einwohner",
    ),
    Pick(
        "destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv",
        lambda r: r[0] == "31.12.2022" and r[1] == "40-Jährige",
        under("Hessen"),
        "12411-0012",
        "06",
        date(2022, 12, 31),
        "BEVSTD",
        {"age_from": 40, "age_to": 40},
    ),
    Pick(
        "destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv",
        lambda r: r[0] == "14713",
        under("31.12.2019"),
        "12411-0015",
        "14713",
        date(2019, 12, 31),
        "BEVSTD",
    ),
    Pick(
        "destatis_genesis_tabellencsv_12411-0017_kreise_altersgruppen_2021-12-31.csv",
        lambda r: r[1] == "06531",
        under("65 bis unter 75 Jahre"),
        "12411-0017",
        "06531",
        date(2021, 12, 31),
        "BEVSTD",
        {"age_from": 65, "age_to": 74},
    ),
    Pick(
        "destatis_genesis_tabellencsv_12411-0018_kreise_altersgruppen.csv",
        lambda r: r[0] == "31.12.2020" and r[1] == "14511",
        under("weiblich", "75 Jahre und mehr"),
        "12411-0018",
        "14511",
        date(2020, 12, 31),
        "BEVSTD",
        {"sex": "female", "age_from": 75, "age_to": None},
    ),
)


def read_table_csv(name: str) -> tuple[list[list[str]], list[list[str]]]:
    """(header lines, all lines) of a table CSV, decoded as the publishers write them."""
    with sample_path(name).open(encoding="cp1252", newline="") as handle:
        lines = list(csv.reader(handle, delimiter=";"))
    header = [line for line in lines[1:40] if line and line[0] == "" and any(line)]
    return header, lines


def number(text: str) -> float:
    return float(text.strip().replace(",", "."))


def current_value(con: duckdb.DuckDBPyConnection, pick: Pick) -> list[Any]:
    where = {"sex": "total", "nationality": "total", "age_from": None, "age_to": None, **pick.where}
    sql = "SELECT value FROM core.current_observations WHERE source_table = ? AND region_code = ? "
    sql += "AND ref_date = ? AND source_measure = ? "
    sql += " ".join(f"AND {column} IS NOT DISTINCT FROM ?" for column in where)
    params = [pick.table, pick.region, pick.ref_date, pick.measure, *where.values()]
    return [row[0] for row in con.execute(sql, params).fetchall()]


@pytest.mark.parametrize("pick", PICKS, ids=[p.file for p in PICKS])
def test_table_csv_figure_is_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection, pick: Pick) -> None:
    header, lines = read_table_csv(pick.file)
    row = next(line for line in lines if len(line) > 2 and pick.row([c.strip() for c in line]))
    expected = number(row[pick.column(header)])
    assert current_value(warehouse, pick) == [expected]


def test_hsl_workbook_figures_are_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    book = openpyxl.load_workbook(sample_path(TABLE_CSVS[-2]), read_only=True, data_only=True)
    rows = {row[0]: row for row in book["Bevölkerung"].iter_rows(values_only=True) if row[0]}
    bensheim, land = rows["431002"], rows["000000"]
    # The sheet numbers its value columns 1, 2, ... after key and name: number n is at index n + 1.
    population = Pick("", bool, at(0), "HSL-GEMEINDESTATISTIK", "06431002", date(2018, 12, 31), "Bevölkerung")
    assert current_value(warehouse, population) == [bensheim[3]]
    women = Pick("", bool, at(0), "HSL-GEMEINDESTATISTIK", "06", date(2018, 12, 31), "Bevölkerung", {"sex": "female"})
    assert current_value(warehouse, women) == [land[6]]
    area = Pick("", bool, at(0), "HSL-GEMEINDESTATISTIK", "06431", date(2018, 12, 31), "Fläche")
    assert current_value(warehouse, area) == [pytest.approx(rows["431000"][2])]
    births = Pick("", bool, at(0), "HSL-GEMEINDESTATISTIK", "064", date(2018, 12, 31), "Lebendgeborene")
    assert current_value(warehouse, births) == [rows["400000"][51]]
    # groupings without an AGS ("Kreisfreie Städte", "Landkreise", two planning associations) are no
    # regions: every region of the workbook is the Land, a Regierungsbezirk, a Kreis or a Gemeinde
    prefixes = warehouse.execute(
        "SELECT DISTINCT substr(region_code, 3, 1) FROM core.observations "
        "WHERE source_table = 'HSL-GEMEINDESTATISTIK' AND length(region_code) > 2 ORDER BY 1"
    ).fetchall()
    assert prefixes == [("4",), ("5",), ("6",)]


def test_hsl_age_export_figure_is_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    with sample_path(TABLE_CSVS[-1]).open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    row = next(line for line in lines if line[0] == "412" and line[1] == "Unter 1")
    foreign = Pick(
        "",
        bool,
        at(0),
        "HSL-ALTER-KREISE",
        "06412",
        date(2021, 12, 31),
        "Bevölkerung",
        {"nationality": "foreign", "age_from": 0, "age_to": 0},
    )
    assert current_value(warehouse, foreign) == [number(row[8])]
    vogelsberg = next(i for i, line in enumerate(lines) if line[0].startswith("535"))
    total_row = next(line for line in lines[vogelsberg:] if line[1] == "Insgesamt")
    total = Pick("", bool, at(0), "HSL-ALTER-KREISE", "06535", date(2021, 12, 31), "Bevölkerung")
    assert current_value(warehouse, total) == [number(total_row[2])]


# --- vintages, Stand, the whole set ---------------------------------------------------------------


def test_v4_then_rebased_v5_keeps_both_vintages_and_the_newer_is_current(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    old = first_match("regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv", lambda r: r[7] == "06412" and r[11] == "")
    new = first_match("regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv", lambda r: r[7] == "06412" and r[11] == "")
    old_value, new_value = float(old[-1]), float(new[13])
    assert old_value != new_value  # the re-basing on Zensus 2022 changed Frankfurt's figure
    versions = warehouse.execute(
        """
        SELECT value, valid_from, valid_to FROM core.observations
        WHERE source_table = '12411-01-01-4' AND region_code = '06412' AND ref_date = DATE '2023-12-31'
          AND sex = 'total' ORDER BY valid_from
        """
    ).fetchall()
    assert versions == [(old_value, V4_RECORDED, V5_JUNE_2025), (new_value, V5_JUNE_2025, None)]


def first_match(name: str, predicate: Callable[[list[str]], bool]) -> list[str]:
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        return next(row for row in csv.reader(handle, delimiter=";") if predicate(row))


def test_a_table_csv_takes_its_vintage_from_the_stand_it_prints(warehouse: duckdb.DuckDBPyConnection) -> None:
    vintages = warehouse.execute(
        "SELECT DISTINCT vintage FROM meta.loads WHERE source_table = '13211-02-05-4' ORDER BY vintage"
    ).fetchall()
    stands = []
    for name in (
        "regio_tabellencsv_13211-02-05-4_2015-2020.csv",
        "regio_tabellencsv_13211-02-05-4_2025.csv",
        "regio_tabellencsv_13211-02-05-4_2023.csv",
    ):
        last = sample_path(name).read_text("cp1252").strip().splitlines()[-1]
        stands.append(datetime.strptime(last, "Stand: %d.%m.%Y / %H:%M:%S"))
    assert [v for (v,) in vintages] == stands


def test_every_sample_table_reached_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables = {t for (t,) in warehouse.execute("SELECT DISTINCT source_table FROM meta.loads").fetchall()}
    expected = {
        "12411-0012",
        "12411-0015",
        "12411-0017",
        "12411-0018",
        "11111-01-01-4",
        "12411-01-01-4",
        "12411-04-02-4-B",
        "12411-04-02-4",
        "13211-02-05-4",
        "12410-010Z",
        "12613-010Z",
        "12613-020Z",
        "12711-02-02-4",
        "21111-01-03-4",
        "21111-02-06-4",
        "21121-01-05-4",
        "21121-02-02-4",
        "13111-11-04-4",
        "22411-02-03-4",
        "22541-01-04-4",
        "23111-01-04-4",
        "HSL-GEMEINDESTATISTIK",
        "HSL-ALTER-KREISE",
        "12111-01-01-4",
        "13111-01-03-4",
        "AI-N-01-2-5",
        "11111-02-01-4",
        "12211-Z-11",
        "13111-0005",
        "1000A-0000",
    }
    assert tables == expected
    states = warehouse.execute("SELECT DISTINCT state FROM core.observations ORDER BY state").fetchall()
    assert states == [("06",), ("14",)]


def test_the_cube_format_is_refused_with_a_clear_error() -> None:
    data = sample_path("genesis_cubefile_47414BJ002_datencsv.csv").read_bytes()
    with pytest.raises(ParseError, match=r"destatis: table 47414BJ002: a GENESIS cube file \(datencsv\)"):
        parse(data, "destatis: table 47414BJ002")


def test_an_unknown_layout_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        ParseError, match=r"regio: table 12411-01-01-4: unknown file layout; the first line is 'id,name'"
    ):
        parse(b"id,name\n1,x\n", "regio: table 12411-01-01-4")


def test_the_population_mart_takes_each_figure_from_the_preferred_source(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # Frankfurt 31.12.2018 is published by the Regionaldatenbank, Destatis and the HSL workbook.
    _, regio = read_table_csv("regio_tabellencsv_12411-01-01-4_2018-12-31.csv")
    frankfurt = number(next(r for r in regio if r and r[0] == "06412")[2])
    chosen = warehouse.execute(
        "SELECT population, source, source_table, sources_available, chosen_because FROM marts.population "
        "WHERE region_code = '06412' AND ref_date = DATE '2018-12-31' AND sex = 'total' AND age_from IS NULL "
        "AND nationality = 'total'"
    ).fetchall()
    assert [row[:4] for row in chosen] == [(frankfurt, "regio", "12411-01-01-4", 3)]
    assert chosen[0][4].startswith("Regionaldatenbank: the joint database")
    # Leipzig 31.12.2019 only Destatis has (among the samples): the mart falls back to it.
    header, destatis = read_table_csv("destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv")
    leipzig = number(next(r for r in destatis if r and r[0] == "14713")[under("31.12.2019")(header)])
    fallback = warehouse.execute(
        "SELECT population, source, sources_available FROM marts.population WHERE region_code = '14713' "
        "AND ref_date = DATE '2019-12-31' AND sex = 'total' AND age_from IS NULL AND nationality = 'total'"
    ).fetchall()
    assert fallback == [(leipzig, "destatis", 1)]
    # every figure of every source stays in the core
    sources = warehouse.execute(
        "SELECT DISTINCT source FROM core.current_observations WHERE region_code = '06412' "
        "AND ref_date = DATE '2018-12-31' AND measure = 'population' ORDER BY 1"
    ).fetchall()
    assert sources == [("destatis",), ("hessen",), ("regio",)]


def test_hsl_employees_are_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    book = openpyxl.load_workbook(sample_path(TABLE_CSVS[-2]), read_only=True, data_only=True)
    rows = {row[0]: row for row in book["Beschäftigte"].iter_rows(values_only=True) if row[0]}
    kassel = rows["611000"]  # sheet column n is at index n + 1
    day = date(2018, 6, 30)
    residence = Pick("", bool, at(0), "HSL-GEMEINDESTATISTIK", "06611", day, "Beschäftigte am Wohnort")
    assert current_value(warehouse, residence) == [kassel[2]]
    foreign_women = Pick(
        "",
        bool,
        at(0),
        "HSL-GEMEINDESTATISTIK",
        "06611",
        day,
        "Beschäftigte am Arbeitsort",
        {"sex": "female", "nationality": "foreign"},
    )
    assert current_value(warehouse, foreign_women) == [kassel[25]]


def test_each_ingested_file_lands_under_the_suffix_of_what_it_is(all_samples_home: Path) -> None:
    # a workbook is a zip inside, but opened from raw/ it must be a workbook again
    suffixes = {
        path.parent.name: path.suffix for path in (all_samples_home / "raw").rglob("*.*") if path.suffix != ".json"
    }
    assert suffixes["HSL-GEMEINDESTATISTIK"] == ".xlsx"
    assert suffixes["HSL-ALTER-KREISE"] == ".csv"
    assert suffixes["1000A-0000"] == ".zip"

"""The analysts' marts, each figure computed here by hand from the raw sample files."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import openpyxl

from tests.support import V4_RECORDED, V5_JUNE_2025, one, sample_path

KREISE_SINGLE_YEARS = "regio_tabellencsv_12411-04-02-4_kreise_altersjahre_2020-12-31.csv"
LAENDER_SINGLE_YEARS = "regio_tabellencsv_12411-04-02-4-B_laender_altersjahre_2019-12-31.csv"
HESSIAN_CITIES = {"06411", "06412", "06413", "06414", "06611"}


# --- ages, read from the table CSVs of single years -------------------------------------------------


Bands = dict[tuple[int, int], float]
OPEN = 999


def age_bands(name: str, region: str) -> Bands:
    """(first age, last age) -> persons of all sexes, for one region of a 12411-04-02-4 table CSV:
    single years up to 74, then 75-79, 80-84, 85-89 and 90 and older."""
    bands: Bands = {}
    with sample_path(name).open(encoding="cp1252", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if len(row) != 6 or row[0] != region or row[2] == "Insgesamt":
                continue
            if match := re.fullmatch(r"unter (\d+) Jahr", row[2]):
                band = (0, int(match.group(1)) - 1)
            elif match := re.fullmatch(r"(\d+) bis unter (\d+) Jahre", row[2]):
                band = (int(match.group(1)), int(match.group(2)) - 1)
            elif match := re.fullmatch(r"(\d+) Jahre und mehr", row[2]):
                band = (int(match.group(1)), OPEN)
            else:
                raise AssertionError(row)
            bands[band] = float(row[3])
    assert (0, 0) in bands and any(high == OPEN for _, high in bands), region
    return bands


def persons(bands: Bands, low: int, high: int = OPEN) -> float:
    assert all(b_high < low or b_low >= low for b_low, b_high in bands), f"a band crosses {low}"
    return sum(count for (b_low, b_high), count in bands.items() if low <= b_low and b_high <= high)


def median(bands: Bands) -> float:
    half, before = sum(bands.values()) / 2, 0.0
    for (low, high), count in sorted(bands.items()):
        if before + count >= half:
            assert low == high, "the median falls into a grouped band"
            return low + (half - before) / count
        before += count
    raise AssertionError("no median")


def test_age_structure_of_a_kreis(warehouse: duckdb.DuckDBPyConnection) -> None:
    kassel = age_bands(KREISE_SINGLE_YEARS, "06611")
    total = sum(kassel.values())
    found = one(
        warehouse,
        "SELECT population, share_under_20, share_65_plus, share_80_plus, old_age_dependency_ratio, "
        "youth_dependency_ratio, working_age_population, median_age, source_table, settlement_type "
        "FROM marts.age_structure WHERE region_code = '06611' AND ref_date = DATE '2020-12-31'",
    )
    assert found == (
        total,
        round(100 * persons(kassel, 0, 19) / total, 3),
        round(100 * persons(kassel, 65) / total, 3),
        round(100 * persons(kassel, 80) / total, 3),
        round(100 * persons(kassel, 65) / persons(kassel, 20, 64), 3),
        round(100 * persons(kassel, 0, 19) / persons(kassel, 20, 64), 3),
        persons(kassel, 15, 64),
        round(median(kassel), 2),
        "12411-04-02-4",
        "kreisfreie_stadt",
    )


def test_median_age_of_a_land(warehouse: duckdb.DuckDBPyConnection) -> None:
    sachsen = age_bands(LAENDER_SINGLE_YEARS, "14")
    found = one(
        warehouse,
        "SELECT median_age FROM marts.age_structure WHERE region_code = '14' AND ref_date = DATE '2019-12-31'",
    )
    assert found == (round(median(sachsen), 2),)


def test_a_coarse_classification_gives_only_the_shares_it_can(warehouse: duckdb.DuckDBPyConnection) -> None:
    # The HSL workbook has four bands (under 6, 6-15, 15-65, 65+): 65+ and 15-64, nothing else.
    kassel = [number(cell) for cell in hsl_rows("Bevölkerung")["611000"][2:]]  # sheet column n at index n - 1
    found = one(
        warehouse,
        "SELECT share_65_plus, working_age_population, share_under_20, share_80_plus, median_age, source_table "
        "FROM marts.age_structure WHERE region_code = '06611' AND ref_date = DATE '2018-12-31'",
    )
    assert found == (round(100 * kassel[16] / kassel[1], 3), kassel[14], None, None, None, "HSL-GEMEINDESTATISTIK")


def test_city_versus_countryside_is_a_ratio_of_sums_over_all_kreise(warehouse: duckdb.DuckDBPyConnection) -> None:
    kreise = {}
    with sample_path(KREISE_SINGLE_YEARS).open(encoding="cp1252", newline="") as handle:
        codes = {
            row[0] for row in csv.reader(handle, delimiter=";") if len(row) == 6 and re.fullmatch(r"06\d{3}", row[0])
        }
    for code in codes:
        kreise[code] = age_bands(KREISE_SINGLE_YEARS, code)
    assert len(kreise) == 26

    def ratio(members: list[str]) -> float:
        old = sum(persons(kreise[k], 65) for k in members)
        working = sum(persons(kreise[k], 20, 64) for k in members)
        return round(100 * old / working, 3)

    rows = warehouse.execute(
        "SELECT area, hessen, hessen_kreise, hessen_kreise_expected FROM marts.indicator_comparison "
        "WHERE indicator = 'old_age_dependency_ratio' AND ref_date = DATE '2020-12-31' "
        "AND area IN ('land', 'kreisfreie_stadt', 'landkreis') ORDER BY area"
    ).fetchall()
    cities = sorted(HESSIAN_CITIES)
    countryside = sorted(set(kreise) - HESSIAN_CITIES)
    assert rows == [
        ("kreisfreie_stadt", ratio(cities), 5, 5),
        ("land", ratio(sorted(kreise)), 26, 26),
        ("landkreis", ratio(countryside), 21, 21),
    ]


# --- movement and labour, from the HSL workbook and the flat files -----------------------------------


def number(cell: object) -> float:
    assert isinstance(cell, int | float), cell
    return float(cell)


def hsl_rows(sheet: str) -> dict[str, tuple[object, ...]]:
    book = openpyxl.load_workbook(
        sample_path("hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx"), read_only=True, data_only=True
    )
    return {str(row[0]): row for row in book[sheet].iter_rows(values_only=True) if row[0]}


def test_natural_and_migration_balance_per_1000(warehouse: duckdb.DuckDBPyConnection) -> None:
    frankfurt = hsl_rows("Bevölkerung")["412000"]  # column number n of the sheet is at index n + 1
    births, deaths, moves_in, moves_out, population = (number(frankfurt[i]) for i in (51, 52, 56, 60, 3))
    found = one(
        warehouse,
        "SELECT live_births, deaths, natural_balance, net_migration, natural_balance_per_1000, "
        "net_migration_per_1000 FROM marts.movement WHERE region_code = '06412' AND year = 2018",
    )
    assert found == (
        births,
        deaths,
        births - deaths,
        moves_in - moves_out,
        round(1000 * (births - deaths) / population, 3),
        round(1000 * (moves_in - moves_out) / population, 3),
    )


def test_commuter_balance(warehouse: duckdb.DuckDBPyConnection) -> None:
    kassel = hsl_rows("Beschäftigte")["611000"]
    workplace, residence = number(kassel[17]), number(kassel[2])
    found = one(
        warehouse,
        "SELECT employees_workplace, employees_residence, commuter_balance FROM marts.labour_market "
        "WHERE region_code = '06611' AND year = 2018",
    )
    assert found == (workplace, residence, workplace - residence)


def test_foreign_share_of_employees_by_land(warehouse: duckdb.DuckDBPyConnection) -> None:
    foreign = {"06": 0.0, "14": 0.0}
    total = {"06": 0.0, "14": 0.0}
    with sample_path("regio_v5_ffcsv_13111-01-03-4_2024-06-30_de.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            key = row["1_variable_attribute_code"]
            wanted = row["1_variable_code"] == "KREISE" and len(key) == 5 and key[:2] in total
            if wanted and row["value"] == "-":
                assert key[:2] == "14" and key[2] in "123", key  # only Saxony's Kreise dissolved in 2008
            elif wanted and row["3_variable_attribute_code"] == "":
                if row["2_variable_attribute_code"] == "":
                    total[key[:2]] += float(row["value"])
                elif row["2_variable_attribute_code"] == "NATA":
                    foreign[key[:2]] += float(row["value"])
    found = one(
        warehouse,
        "SELECT hessen, sachsen FROM marts.indicator_comparison WHERE indicator = 'foreign_share_employees' "
        "AND ref_date = DATE '2024-06-30' AND area = 'land'",
    )
    assert found == (round(100 * foreign["06"] / total["06"], 3), round(100 * foreign["14"] / total["14"], 3))


def test_unemployment_rate_is_the_published_one(warehouse: duckdb.DuckDBPyConnection) -> None:
    with sample_path("regio_tabellencsv_13211-02-05-4_2023.csv").open(encoding="cp1252", newline="") as handle:
        dresden = next(row for row in csv.reader(handle, delimiter=";") if len(row) > 3 and row[1] == "14612")
    found = one(
        warehouse,
        "SELECT unemployed, unemployment_rate FROM marts.labour_market WHERE region_code = '14612' AND year = 2023",
    )
    assert found == (float(dresden[3]), float(dresden[11].replace(",", ".")))


def test_population_change_over_five_years(warehouse: duckdb.DuckDBPyConnection) -> None:
    name = "sachsen_genesis_tabellencsv_12410-010Z_bev_gemeinden_30-06.csv"
    with sample_path(name).open(encoding="cp1252", newline="") as handle:
        dresden = {
            row[0]: float(row[3]) for row in csv.reader(handle, delimiter=";") if len(row) > 3 and row[1] == "14612"
        }
    now, before = dresden["30.06.2022"], dresden["30.06.2017"]
    found = one(
        warehouse,
        "SELECT population, population_5y_before, change_5y, change_5y_percent FROM marts.population_change "
        "WHERE region_code = '14612' AND ref_date = DATE '2022-06-30'",
    )
    assert found == (now, before, now - before, round(100 * (now / before - 1), 3))


# --- vintages ------------------------------------------------------------------------------------------


def frankfurt_2023(name: str, value_column: int) -> float:
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.reader(handle, delimiter=";") if r[7] == "06412" and r[11] == "")
    return float(row[value_column])


def test_as_of_returns_what_was_published_then(warehouse: duckdb.DuckDBPyConnection) -> None:
    before = frankfurt_2023("regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv", -1)
    after = frankfurt_2023("regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv", 13)
    sql = (
        "SELECT value, vintage FROM core.observations_as_of(?) WHERE source_table = '12411-01-01-4' "
        "AND region_code = '06412' AND ref_date = DATE '2023-12-31' AND sex = 'total'"
    )
    assert warehouse.execute(sql, [datetime(2024, 12, 1)]).fetchall() == []
    assert warehouse.execute(sql, [datetime(2025, 1, 1)]).fetchall() == [(before, V4_RECORDED)]
    assert warehouse.execute(sql, [V5_JUNE_2025]).fetchall() == [(after, V5_JUNE_2025)]
    assert warehouse.execute(sql, [datetime(2026, 1, 1)]).fetchall() == [(after, V5_JUNE_2025)]


def test_revisions_say_what_changed_by_how_much(warehouse: duckdb.DuckDBPyConnection) -> None:
    before = frankfurt_2023("regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv", -1)
    after = frankfurt_2023("regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv", 13)
    found = one(
        warehouse,
        "SELECT old_vintage, new_vintage, old_value, new_value, change, change_percent FROM meta.revisions "
        "WHERE source_table = '12411-01-01-4' AND region_code = '06412' AND ref_date = DATE '2023-12-31' "
        "AND sex = 'total'",
    )
    assert found == (
        V4_RECORDED,
        V5_JUNE_2025,
        before,
        after,
        after - before,
        round(100 * (after - before) / before, 3),
    )


# --- for people: settlement types, comments, checks ---------------------------------------------------


def test_settlement_type_from_the_official_names(warehouse: duckdb.DuckDBPyConnection) -> None:
    cities = warehouse.execute(
        "SELECT region_code FROM core.region_settlement WHERE settlement_type = 'kreisfreie_stadt' "
        "AND length(region_code) = 5 ORDER BY 1"
    ).fetchall()
    expected = "06411 06412 06413 06414 06415 06611 14161 14166 14167 14262 14263 14264 14365 14511 14612 14713"
    assert [c for (c,) in cities] == expected.split()
    gemeinde = one(warehouse, "SELECT settlement_type FROM core.region_settlement WHERE region_code = '06431002'")
    assert gemeinde == ("landkreis",)  # Bensheim lies in the Landkreis Bergstraße


def test_every_mart_and_column_has_a_comment(warehouse: duckdb.DuckDBPyConnection) -> None:
    # a mart is a view, or a table where many others read it (computed once per build)
    relations = "SELECT view_name AS name, comment FROM duckdb_views() WHERE schema_name = 'marts' UNION ALL "
    relations += "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
    uncommented = warehouse.execute(f"SELECT name FROM ({relations}) WHERE comment IS NULL").fetchall()
    columns = warehouse.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND comment IS NULL"
    ).fetchall()
    assert uncommented == [] and columns == []
    marts = {name for (name,) in warehouse.execute(f"SELECT name FROM ({relations})").fetchall()}
    sql_files = {Path(p.name).stem for p in (resources.files("demografie") / "sql" / "marts").iterdir()}
    assert {"population", "age_structure", "movement", "labour_market", "indicator_comparison"} <= marts
    assert sql_files <= marts | {"land_totals"}


def test_every_check_ran_and_is_recorded(warehouse: duckdb.DuckDBPyConnection) -> None:
    checks = dict(warehouse.execute("SELECT check_name, severity FROM meta.check_results").fetchall())
    assert checks == {
        "unique_identity": "error",
        "no_negative_counts": "error",
        "rates_within_0_100": "error",
        "indicators_declared": "error",
        "sexes_add_up": "warning",
        "kreise_add_up": "warning",
        "plausible_population_change": "warning",
        "expected_regions_present": "warning",
        "freshness": "warning",
    }
    errors = warehouse.execute(
        "SELECT check_name FROM meta.check_results WHERE severity = 'error' AND violations > 0"
    ).fetchall()
    assert errors == []
    stale = warehouse.execute("SELECT violations FROM meta.check_results WHERE check_name = 'freshness'").fetchall()
    assert stale[0][0] > 0  # the samples are years old: the warning says so
    assert date.today().year >= 2026


def test_every_indicator_is_declared_once_with_its_title(warehouse: duckdb.DuckDBPyConnection) -> None:
    computed = {name for (name,) in warehouse.execute("SELECT DISTINCT indicator FROM marts.indicators").fetchall()}
    declared = warehouse.execute(
        "SELECT indicator, theme, unit, factor, title, report_map FROM meta.indicators"
    ).fetchall()
    names = [row[0] for row in declared]
    assert len(names) == len(set(names)) and computed <= set(names) and len(computed) >= 10
    # what the mart says of an indicator is its declaration
    mismatched = warehouse.execute(
        "SELECT DISTINCT i.indicator FROM marts.indicators AS i JOIN meta.indicators AS d USING (indicator) "
        "WHERE (i.theme, i.unit, i.factor) IS DISTINCT FROM (d.theme, d.unit, d.factor)"
    ).fetchall()
    assert mismatched == []
    maps = sorted(row[5] for row in declared if row[5] is not None)
    assert maps == list(range(1, len(maps) + 1)) and all(row[4] for row in declared)

"""The skilled-worker pipeline and the Daseinsvorsorge: schools, vocational schools, employees by
qualification, day care, long-term care and hospitals. Every expected figure is read from the raw
sample bytes here (csv module), never by our parsers; the rates on a fixture are hand-computed."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie import catalog
from demografie.cli import app
from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.settings import Paths
from demografie.transforms.formats import parse
from demografie.transforms.normalise import Provenance, normalise
from demografie.transforms.schema import SYNTHETIC_NOTICE
from demografie.warehouse.lake import write_delivery
from tests.support import fill_lake, metadata_answer, point_at, sample_path
from tests.warehouse.test_indicators import KREISE_SINGLE_YEARS, age_bands, persons

LEAVERS = "regio_tabellencsv_21111-02-06-4_sj2023.csv"
VOCATIONAL_LEAVERS = "regio_tabellencsv_21121-02-02-4_sj2023.csv"
PUPILS = "regio_tabellencsv_21111-01-03-4_sj2023.csv"
VOCATIONAL_PUPILS = "regio_tabellencsv_21121-01-05-4_stand2017-10-10_utf8.csv"
QUALIFICATION = "regio_tabellencsv_13111-11-04-4_stand2017-10-10_utf8.csv"
DAYCARE = "regio_tabellencsv_22541-01-04-4_stand2017-10-10_utf8.csv"
CARE = "regio_tabellencsv_22411-02-03-4_stand2017-10-10_utf8.csv"
HOSPITALS = "regio_tabellencsv_23111-01-04-4_stand2020-11-13.csv"
# the 2017 downloads are UTF-8, the later ones Windows-1252 (docs/data-sources.md)
ENCODING = {VOCATIONAL_PUPILS: "utf-8", QUALIFICATION: "utf-8", DAYCARE: "utf-8", CARE: "utf-8"}
runner = CliRunner()


def raw_lines(name: str) -> list[list[str]]:
    with sample_path(name).open(encoding=ENCODING.get(name, "cp1252"), newline="") as handle:
        return [[" ".join(cell.split()) for cell in row] for row in csv.reader(handle, delimiter=";")]


def raw_row(name: str, match: Callable[[list[str]], bool]) -> list[str]:
    return next(row for row in raw_lines(name) if len(row) > 3 and match(row))


def held(con: duckdb.DuckDBPyConnection, table: str, measure: str, region: str, day: str, **where: str) -> list[float]:
    sql = (
        "SELECT value FROM core.current_observations WHERE source_table = ? AND measure = ? AND region_code = ? "
        "AND ref_date = ?::DATE AND sex = 'total' AND nationality = 'total'"
    )
    params: list[str] = [table, measure, region, day]
    for variable, attribute in where.items():
        sql += " AND source_dims[?] = ?"
        params += [variable, attribute]
    return [value for (value,) in con.execute(sql, params).fetchall()]


# --- each sample, two figures as printed ----------------------------------------------------------


def test_school_leavers_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen, sachsen = raw_row(LEAVERS, lambda r: r[1] == "06"), raw_row(LEAVERS, lambda r: r[1] == "14")
    # columns: time, key, name, then Insgesamt / weiblich of each qualification
    assert held(warehouse, "21111-02-06-4", "school_leavers", "06", "2023-12-31") == [float(hessen[3])] == [58909.0]
    assert held(warehouse, "21111-02-06-4", "school_leavers_without_hsa", "06", "2023-12-31") == [float(hessen[5])]
    assert held(warehouse, "21111-02-06-4", "school_leavers_abitur", "14", "2023-12-31") == [float(sachsen[15])]
    # Sachsen prints x for the Fachhochschulreife: no figure, the symbol kept
    symbol = warehouse.execute(
        "SELECT value, status FROM core.current_observations WHERE source_table = '21111-02-06-4' "
        "AND measure = 'school_leavers_fhr' AND region_code = '14' AND sex = 'total'"
    ).fetchall()
    assert sachsen[13] == "x" and symbol == [(None, "x")]


def test_vocational_leavers_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen = raw_row(VOCATIONAL_LEAVERS, lambda r: r[1] == "06")
    sachsen = raw_row(VOCATIONAL_LEAVERS, lambda r: r[1] == "14")
    assert held(warehouse, "21121-02-02-4", "vocational_leavers", "06", "2023-12-31") == [float(hessen[3])]
    assert held(warehouse, "21121-02-02-4", "vocational_leavers_fhr", "06", "2023-12-31") == [float(hessen[9])]
    assert held(warehouse, "21121-02-02-4", "vocational_leavers_hsa", "14", "2023-12-31") == [float(sachsen[5])]


def test_pupils_by_school_type_keep_the_school_type(warehouse: duckdb.DuckDBPyConnection) -> None:
    total = raw_row(PUPILS, lambda r: r[1] == "06" and r[3] == "Insgesamt")
    gymnasien = raw_row(PUPILS, lambda r: r[1] == "14" and r[3] == "Gymnasien")
    assert held(warehouse, "21111-01-03-4", "pupils", "06", "2023-12-31", SCHULART="") == [float(total[5])]
    assert held(warehouse, "21111-01-03-4", "pupils", "14", "2023-12-31", SCHULART="Gymnasien") == [float(gymnasien[5])]
    # "Schulen" of all types is x (a sum that makes no sense): kept as the symbol, never as a zero
    schools = warehouse.execute(
        "SELECT value, status FROM core.current_observations WHERE source_table = '21111-01-03-4' "
        "AND measure = 'schools' AND region_code = '06' AND source_dims['SCHULART'] = ''"
    ).fetchall()
    assert total[4] == "x" and schools == [(None, "x")]


def test_vocational_pupils_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen = raw_row(VOCATIONAL_PUPILS, lambda r: r[0] == "06" and r[2] == "Insgesamt")
    berufsschulen = raw_row(VOCATIONAL_PUPILS, lambda r: r[0] == "14" and r[2] == "Berufsschulen")
    assert held(warehouse, "21121-01-05-4", "vocational_pupils", "06", "2015-12-31", SCHULART="") == [
        float(hessen[4])
    ] == [186681.0]  # fmt: skip
    assert held(warehouse, "21121-01-05-4", "vocational_pupils", "14", "2015-12-31", SCHULART="Berufsschulen") == [
        float(berufsschulen[4])
    ]


def test_employees_by_qualification_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen = raw_row(QUALIFICATION, lambda r: r[0] == "30.06.2015" and r[1] == "06" and r[3] == "Insgesamt")
    academic = raw_row(
        QUALIFICATION, lambda r: r[0] == "30.06.2015" and r[1] == "14" and r[3] == "mit akademischem Abschluss"
    )
    row = warehouse.execute(
        "SELECT employees, academic, qualification_unknown FROM marts.employees_by_qualification "
        "WHERE region_code = ? AND ref_date = DATE '2015-06-30' AND counted_at = 'workplace'",
        ["06"],
    ).fetchone()
    classes = ("ohne Berufsabschluss", "mit anerkanntem Berufsabschluss", "mit akademischem Abschluss")
    parts = [r[4] for r in raw_lines(QUALIFICATION) if r[:2] == ["30.06.2015", "06"] and r[3] in classes]
    assert row is not None and row[0] == float(hessen[4]) == 2408926.0
    assert row[2] == float(hessen[4]) - sum(float(p) for p in parts) == 304381.0
    assert held(warehouse, "13111-11-04-4", "employees_by_qualification", "14", "2015-06-30", BERUFAB=academic[3]) == [
        float(academic[4])
    ]
    # the foreign employees are a nationality, not another measure
    foreign = warehouse.execute(
        "SELECT value FROM core.current_observations WHERE source_table = '13111-11-04-4' AND region_code = '06' "
        "AND ref_date = DATE '2015-06-30' AND sex = 'total' AND nationality = 'foreign' "
        "AND source_dims['BERUFAB'] = ''"
    ).fetchall()
    assert foreign == [(float(hessen[7]),)]


def test_daycare_places_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    header = next(row for row in raw_lines(DAYCARE) if row and row[0] == "" and "Genehmigte Plätze" in row)
    places = header.index("Genehmigte Plätze")
    hessen = raw_row(DAYCARE, lambda r: r[0] == "01.03.2016" and r[1] == "06")
    sachsen = raw_row(DAYCARE, lambda r: r[0] == "15.03.2007" and r[1] == "14")
    assert held(warehouse, "22541-01-04-4", "daycare_places", "06", "2016-03-01") == [float(hessen[places])]
    assert held(warehouse, "22541-01-04-4", "daycare_places", "14", "2007-03-15") == [float(sachsen[places])]


def test_care_recipients_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen = raw_row(CARE, lambda r: r[1] == "06" and r[3] == "Insgesamt")
    sachsen = raw_row(CARE, lambda r: r[1] == "14" and r[3] == "Insgesamt")
    assert held(warehouse, "22411-02-03-4", "care_recipients", "06", "2015-12-31") == [float(hessen[4])] == [223579.0]
    assert held(warehouse, "22411-02-03-4", "care_recipients_residential", "14", "2015-12-31") == [float(sachsen[7])]


def test_hospital_beds_are_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    hessen = raw_row(HOSPITALS, lambda r: r[0] == "31.12.2017" and r[1] == "06")
    sachsen = raw_row(HOSPITALS, lambda r: r[0] == "31.12.2004" and r[1] == "14")
    assert held(warehouse, "23111-01-04-4", "hospital_beds", "06", "2017-12-31") == [float(hessen[4])] == [36432.0]
    assert held(warehouse, "23111-01-04-4", "hospitals", "14", "2004-12-31") == [float(sachsen[3])]


@pytest.mark.parametrize(
    ("indicator", "label"),
    [
        ("employees_without_vocational_share", "ohne Berufsabschluss"),
        ("employees_vocational_share", "mit anerkanntem Berufsabschluss"),
        ("employees_academic_share", "mit akademischem Abschluss"),
    ],
)
def test_the_qualification_shares_of_both_states(
    warehouse: duckdb.DuckDBPyConnection, indicator: str, label: str
) -> None:
    def share(code: str) -> float:
        total = raw_row(QUALIFICATION, lambda r: r[0] == "30.06.2015" and r[1] == code and r[3] == "Insgesamt")
        # Kreise that existed: the pre-2008 Saxon ones are printed with "-"
        kreise = [
            r for r in raw_lines(QUALIFICATION) if len(r) > 4 and r[0] == "30.06.2015" and len(r[1]) == 5
            and r[1].startswith(code) and r[3] in (label, "Insgesamt") and r[4] != "-"
        ]  # fmt: skip
        part = sum(float(r[4]) for r in kreise if r[3] == label)
        employees = sum(float(r[4]) for r in kreise if r[3] == "Insgesamt")
        assert employees == float(total[4])  # the Kreise add up to the Land
        return round(100 * part / employees, 3)

    row = warehouse.execute(
        "SELECT hessen, sachsen FROM marts.indicator_comparison WHERE indicator = ? "
        "AND area = 'land' AND ref_date = DATE '2015-06-30'",
        [indicator],
    ).fetchone()
    assert row == (share("06"), share("14"))


def test_school_leavers_without_hsa_per_100_leavers(warehouse: duckdb.DuckDBPyConnection) -> None:
    vogelsberg = raw_row(LEAVERS, lambda r: r[1] == "06535")
    numerator, denominator = float(vogelsberg[5]), float(vogelsberg[3])
    row = warehouse.execute(
        "SELECT numerator, denominator, settlement_type FROM marts.indicators "
        "WHERE indicator = 'school_leavers_without_hsa_per_100' AND region_code = '06535'"
    ).fetchall()
    assert row == [(numerator, denominator, "landkreis")]
    mart = warehouse.execute(
        "SELECT without_hsa_per_100_leavers FROM marts.schools WHERE region_code = '06535' AND year = 2023"
    )
    assert mart.fetchall() == [(round(100 * numerator / denominator, 3),)]


def test_the_replacement_ratio_of_the_labour_force(warehouse: duckdb.DuckDBPyConnection) -> None:
    bands = age_bands(KREISE_SINGLE_YEARS, "14522")
    young, old = persons(bands, 15, 19), persons(bands, 60, 64)
    row = warehouse.execute(
        "SELECT age_15_19, age_60_64, replacement_ratio_15_19_per_60_64, census_basis "
        "FROM marts.labour_force_replacement WHERE region_code = '14522' AND ref_date = DATE '2020-12-31'"
    ).fetchone()
    assert row == (young, old, round(100 * young / old, 3), "zensus2011")
    wide = warehouse.execute(
        "SELECT numerator, denominator FROM marts.indicators WHERE indicator = 'replacement_ratio_15_24_per_55_64' "
        "AND region_code = '14522' AND ref_date = DATE '2020-12-31'"
    ).fetchall()
    assert wide == [(persons(bands, 15, 24), persons(bands, 55, 64))]


# --- the rates of the services and the vocational schools, on a small fixture ----------------------
# Synthetic figures in the recorded layouts for every Kreis of both states, over the real population
# of 31.12.2020 (12411-04-02-4): per Kreis 2,000 vocational pupils (school year 2020), 3,000 day-care
# places (1 March 2021), 5,000 persons in need of care and 600 hospital beds (2020).


def synthetic_table(name: str, day: str, rows: list[list[str]]) -> bytes:
    """The sample's title, header and footer around `rows`, its dates and years moved to `day`."""
    lines = sample_path(name).read_bytes().decode(ENCODING.get(name, "cp1252")).splitlines()
    last_header = max(i for i, line in enumerate(lines[:40]) if line.startswith(";"))
    footer = next(i for i, line in enumerate(lines) if line.startswith("__________"))
    width = max(len(line.split(";")) for line in lines[1 : last_header + 1])
    body = [";".join(row + ["0"] * (width - len(row))) for row in rows]
    title = [day[-4:] + line[4:] if line[:4].isdigit() else line for line in lines[1 : last_header + 1]]
    return "\n".join([lines[0], *title, *body, *lines[footer:]]).encode("utf-8")


def kreise() -> list[str]:
    return sorted(
        {
            row[0]
            for row in raw_lines(KREISE_SINGLE_YEARS)
            if len(row) == 6 and len(row[0]) == 5 and row[0][:2] in ("06", "14")
        }
    )


FIXTURE_TABLES: tuple[tuple[str, str, str, Callable[[str], list[str]]], ...] = (
    ("vocational_pupils", VOCATIONAL_PUPILS, "2020", lambda k: [k, f"Kreis {k}", "Insgesamt", "x", "2000"]),
    ("daycare", DAYCARE, "01.03.2021", lambda k: ["01.03.2021", k, f"Kreis {k}", "0", "0", "0", "0", "0", "0", "3000"]),
    ("care_recipients", CARE, "31.12.2020", lambda k: ["31.12.2020", k, f"Kreis {k}", "Insgesamt", "5000"]),
    ("hospitals", HOSPITALS, "31.12.2020", lambda k: ["31.12.2020", k, f"Kreis {k}", "4", "600"]),
)


@pytest.fixture(scope="module")
def services_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("services")
    fill_lake(home, [sample_path(KREISE_SINGLE_YEARS)])
    stamp = dt.datetime(2021, 6, 1)
    for number, (dataset, sample, day, row) in enumerate(FIXTURE_TABLES):
        entry = catalog.find(dataset)
        provenance = Provenance(dataset, "regio", entry.table, stamp, stamp, "fixture", synthetic=True)
        content = synthetic_table(sample, day, [row(k) for k in kreise()])
        observations = normalise(
            parse(content, "fixture", None, entry.row_variable), provenance, entry.measures, ["06", "14"]
        )
        write_delivery(Paths.from_env(home).lake, observations, content_sha256=str(number) * 64, raw_file="raw/fixture")
    built = runner.invoke(app, ["build", "--home", str(home)])
    assert built.exit_code == 0, built.output
    return home


def fixture_rows(home: Path, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with duckdb.connect(str(Paths.from_env(home).warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


@pytest.mark.parametrize(
    ("indicator", "ref_date", "numerator", "low", "high"),
    [
        ("vocational_pupils_per_1000_15_24", "2020-12-31", 2000.0, 15, 24),
        ("daycare_places_per_100_under_6", "2021-03-01", 3000.0, 0, 5),
        ("care_recipients_per_1000_65_plus", "2020-12-31", 5000.0, 65, 999),
        ("hospital_beds_per_10000", "2020-12-31", 600.0, 0, 999),
    ],
)
def test_the_rates_of_a_kreis_relate_to_the_ages_they_serve(
    services_home: Path, indicator: str, ref_date: str, numerator: float, low: int, high: int
) -> None:
    denominator = persons(age_bands(KREISE_SINGLE_YEARS, "06535"), low, high)
    rows = fixture_rows(
        services_home,
        "SELECT numerator, denominator, census_basis, synthetic FROM marts.indicators "
        "WHERE indicator = ? AND region_code = '06535' AND ref_date = ?::DATE",
        [indicator, ref_date],
    )
    assert rows == [(numerator, denominator, "zensus2011", True)]


def test_the_services_of_the_rural_kreise_against_the_cities(services_home: Path) -> None:
    bbsr = raw_lines("bbsr_csv_siedlungsstrukt-kreistypen-2020.csv")
    rural = {row[0][:5] for row in bbsr[1:] if len(row) > 3 and row[0][:2] in ("06", "14") and row[2] == "4"}
    expected = []
    for state in ("06", "14"):
        mine = sorted(k for k in rural if k.startswith(state))
        old = sum(persons(age_bands(KREISE_SINGLE_YEARS, k), 65) for k in mine)
        expected.append(round(1000 * 5000 * len(mine) / old, 3))
    rows = fixture_rows(
        services_home,
        "SELECT hessen, sachsen, synthetic FROM marts.indicator_comparison "
        "WHERE indicator = 'care_recipients_per_1000_65_plus' AND area = 'Dünn besiedelter ländlicher Kreis'",
        [],
    )
    assert rows == [(*expected, True)]


# --- fetched by the nightly run: the table CSV through the GENESIS protocol ----------------------


def test_the_nightly_run_asks_for_the_table_csv_and_keeps_its_classes(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 13111-12-03-4 (at residence) has no recording: it is served in the layout of its recorded twin
    # at the workplace, figures and all, under its own code, and marked synthetic by the title of
    # its metadata
    root = tmp_path / "publisher"
    (root / "tablecsv").mkdir(parents=True)
    (root / "metadata").mkdir()
    twin = sample_path(QUALIFICATION).read_text("utf-8").replace("(Arbeitsort)", "(Wohnort)")
    twin = twin.replace("GENESIS-Tabelle: 13111-11-04-4", "GENESIS-Tabelle: 13111-12-03-4")
    (root / "tablecsv" / "13111-12-03-4.csv").write_text(twin.replace("am Arbeitsort", "am Wohnort"), "utf-8")
    title = f"Beschäftigte am Wohnort nach Berufsabschluss ({SYNTHETIC_NOTICE})"
    (root / "metadata" / "13111-12-03-4.json").write_text(
        metadata_answer("13111-12-03-4", title, "10.10.2017 15:54:34h")
    )
    with GenesisServer(root, "demo", "demo") as server:
        point_at(server, "GENESIS_REGIO", "demo", "demo", monkeypatch)
        summary = nightly(
            datasets=["employees_qualification_residence"], from_year=2012, to_year=2015, home=str(tmp_path)
        )
    assert [seen.form["format"] for seen in server.seen if seen.endpoint == "data/tablefile"] == ["csv"]
    assert summary.failures == []
    sachsen = raw_row(QUALIFICATION, lambda r: r[0] == "30.06.2014" and r[1] == "14" and r[3] == "ohne Berufsabschluss")
    with duckdb.connect(str(Paths.from_env(tmp_path).warehouse), read_only=True) as con:
        row = con.execute(
            "SELECT without_vocational, synthetic, source_tables FROM marts.employees_by_qualification "
            "WHERE region_code = '14' AND ref_date = DATE '2014-06-30' AND counted_at = 'residence'"
        ).fetchall()
    assert row == [(float(sachsen[4]), True, "13111-12-03-4")]

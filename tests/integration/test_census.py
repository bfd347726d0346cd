"""Census bases, breaks and links, and the Zensus 2022 database: every expected figure is read from
the raw sample files here (csv, zipfile), never through our parsers."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.settings import Paths
from tests.support import ZENSUS_GEMEINDEN, one, point_at, sample_path

V4_2023 = "regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv"
V5_2023 = "regio_v5_ffcsv_12411-01-01-4_2023-12-31_de.csv"
V5_2024 = "regio_v5_ffcsv_12411-01-01-4_de.csv"
DESTATIS_KREISE = "destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv"
DESTATIS_LAENDER = "destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv"
ZENSUS_METADATA = "zensus_json_metadata_table_1000A-0000.json"


# --- raw figures -----------------------------------------------------------------------------------


def flat_total(name: str, region: str) -> float:
    """The all-sexes figure of a region in a 12411-01-01-4 flat file (v4 or v5: column 7 is the
    region key, column 11 the empty sex code, the value 13th)."""
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if r[7] == region and r[11] == ""]
    assert len(rows) == 1, rows
    return float(rows[0][13])


def flat_kreise_sum(name: str, state: str) -> float:
    with sample_path(name).open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            r
            for r in csv.reader(handle, delimiter=";")
            if r[5] == "KREISE" and len(r[7]) == 5 and r[7].startswith(state) and r[11] == ""
        ]
    assert len(rows) == {"06": 26, "14": 13}[state]
    return sum(float(r[13]) for r in rows)


def destatis_kreis(region: str, day: str) -> float:
    with sample_path(DESTATIS_KREISE).open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    dates = next(r for r in rows if r[:2] == ["", ""] and r[2].startswith("31.12."))
    row = next(r for r in rows if r[0] == region)
    return float(row[dates.index(day)])


def destatis_land(land: str, day: str) -> float:
    with sample_path(DESTATIS_LAENDER).open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    names = rows[5]
    row = next(r for r in rows if r[:2] == [day, "Insgesamt"])
    return float(row[names.index(land)])


def zensus_rows() -> list[list[str]]:
    with zipfile.ZipFile(sample_path(ZENSUS_GEMEINDEN)) as archive:
        (member,) = archive.namelist()
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]


def zensus_count(ars: str) -> float:
    return next(float(r[9]) for r in zensus_rows() if r[7] == ars)


def zensus_state_sum(state: str) -> float:
    return sum(float(r[9]) for r in zensus_rows() if r[5].startswith("GEOGM") and r[7].startswith(state))


# --- census basis ----------------------------------------------------------------------------------


def test_the_census_basis_follows_the_date_and_the_vintage(warehouse: duckdb.DuckDBPyConnection) -> None:
    versions = warehouse.execute(
        "SELECT value, census_basis FROM core.observations WHERE source_table = '12411-01-01-4' "
        "AND region_code = '06412' AND ref_date = DATE '2023-12-31' AND sex = 'total' ORDER BY valid_from"
    ).fetchall()
    # the recording of December 2024 is still on the Zensus 2011 basis, that of June 2025 re-based
    assert versions == [(flat_total(V4_2023, "06412"), "zensus2011"), (flat_total(V5_2023, "06412"), "zensus2022")]

    def basis(table: str, region: str, day: str, measure: str = "population") -> object:
        return one(
            warehouse,
            "SELECT DISTINCT census_basis FROM core.current_observations WHERE source_table = ? AND region_code = ? "
            "AND ref_date = CAST(? AS DATE) AND measure = ? AND sex = 'total' AND nationality = 'total' "
            "AND age_from IS NULL",
            table,
            region,
            day,
            measure,
        )[0]

    assert basis("12411-0012", "06", "2005-12-31") == "vz1987"  # the West before the Zensus 2011
    assert basis("12411-0012", "14", "2005-12-31") == "register1990"  # the East's 1990 register
    assert basis("12411-0012", "06", "1975-12-31") == "vz1970"
    assert basis("12411-0012", "06", "2022-12-31") == "zensus2011"  # Stand 03.12.2023: before the re-basing
    assert basis("12111-01-01-4", "06412", "2011-05-09", "population_census") == "zensus2011"  # a count: itself
    assert basis("13111-01-03-4", "06412", "2024-06-30", "employees") is None  # no census behind employees


def test_every_mart_of_population_stocks_says_its_basis(warehouse: duckdb.DuckDBPyConnection) -> None:
    for mart, column, where in (
        ("population", "census_basis", "region_code = '06412' AND ref_date = DATE '2024-12-31' AND sex = 'total'"),
        ("age_structure", "census_basis", "region_code = '06611' AND ref_date = DATE '2020-12-31'"),
        ("population_change", "census_basis", "region_code = '06412' AND ref_date = DATE '2024-12-31'"),
        (
            "land_totals",
            "census_basis",
            "dataset = 'population' AND state = '06' AND ref_date = DATE '2024-12-31' AND sex = 'total'",
        ),
    ):
        assert one(warehouse, f"SELECT {column} FROM marts.{mart} WHERE {where}")[0] in ("zensus2011", "zensus2022")
    # a rate's basis is that of its population denominator: known wherever the denominator is
    for mart, denominator, basis in (
        ("movement", "population", "population_census_basis"),
        ("labour_market", "working_age_population", "working_age_census_basis"),
    ):
        pairs = warehouse.execute(
            f"SELECT DISTINCT {denominator} IS NULL, {basis} IS NULL FROM marts.{mart}"
        ).fetchall()
        assert (False, False) in pairs and (False, True) not in pairs, mart


# --- changes: direct, linked, break ------------------------------------------------------------------


def change(con: duckdb.DuckDBPyConnection, region: str, day: str, years: int) -> tuple[object, ...]:
    return one(
        con,
        f"SELECT population_{years}y_before, change_{years}y, change_{years}y_percent, change_{years}y_method, "
        f"change_{years}y_link_date FROM marts.population_change WHERE region_code = ? AND ref_date = CAST(? AS DATE)",
        region,
        day,
    )


def test_a_change_within_one_basis_is_the_plain_difference(warehouse: duckdb.DuckDBPyConnection) -> None:
    now, before = flat_total(V5_2024, "06412"), flat_total(V5_2023, "06412")  # both Zensus 2022
    assert change(warehouse, "06412", "2024-12-31", 1) == (
        before,
        now - before,
        round(100 * (now / before - 1), 3),
        "direct",
        None,
    )


def test_a_change_across_the_zensus_2022_is_chain_linked_where_both_bases_are_held(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # Frankfurt 2019 -> 2024: 2019 on the Zensus 2011 basis (Destatis), 2024 on the Zensus 2022
    # basis; 31.12.2023 is held on both (the v4 and the v5 recording).
    start = destatis_kreis("06412", "31.12.2019")
    old_link, new_link = flat_total(V4_2023, "06412"), flat_total(V5_2023, "06412")
    now = flat_total(V5_2024, "06412")
    before, absolute, percent, method, link = change(warehouse, "06412", "2024-12-31", 5)
    assert (before, method, link) == (start, "linked", date(2023, 12, 31))
    assert percent == round(100 * (old_link / start * now / new_link - 1), 3)
    assert absolute == pytest.approx(now - start * new_link / old_link, abs=1e-6)
    plain = round(100 * (now / start - 1), 3)  # what the mart showed before: a decline that is the re-basing
    assert plain < 0 < percent

    # Hessen 2022 -> 2023: the Land row of Destatis (Zensus 2011) to that of the re-based Regionaldatenbank
    hessen_2022 = destatis_land("Hessen", "31.12.2022")
    old_2023, new_2023 = flat_total(V4_2023, "06"), flat_total(V5_2023, "06")
    before, absolute, percent, method, link = change(warehouse, "06", "2023-12-31", 1)
    assert (before, method, link) == (hessen_2022, "linked", date(2023, 12, 31))
    assert percent == round(100 * (old_2023 / hessen_2022 * new_2023 / new_2023 - 1), 3)
    assert absolute == pytest.approx(new_2023 - hessen_2022 * new_2023 / old_2023, abs=1e-6)


def test_a_change_without_an_overlap_is_a_break(warehouse: duckdb.DuckDBPyConnection) -> None:
    # 2010 stands on the Volkszählung 1987, 2015 on the Zensus 2011: no date holds both
    found = change(warehouse, "06", "2015-12-31", 5)
    assert found == (destatis_land("Hessen", "31.12.2010"), None, None, "break", None)
    bases = one(
        warehouse,
        "SELECT population_5y_before_basis, census_basis FROM marts.population_change "
        "WHERE region_code = '06' AND ref_date = DATE '2015-12-31'",
    )
    assert bases == ("vz1987", "zensus2011")


def test_a_land_summed_from_its_kreise_has_its_change(warehouse: duckdb.DuckDBPyConnection) -> None:
    # the v5 table of 31.12.2024 has no Land rows; its Kreise make Hessen's figure
    hessen = flat_kreise_sum(V5_2024, "06")
    found = one(
        warehouse,
        "SELECT population, derivation, census_basis, change_1y, change_1y_method "
        "FROM marts.population_change WHERE region_code = '06' AND ref_date = DATE '2024-12-31'",
    )
    assert found == (hessen, "sum_of_kreise", "zensus2022", hessen - flat_total(V5_2023, "06"), "direct")


def test_the_checks_know_the_census(warehouse: duckdb.DuckDBPyConnection) -> None:
    # the Zensus 2011 table's secrecy rounding (male + female off by 1) is within its tolerance
    violations = one(warehouse, "SELECT violations FROM meta.check_results WHERE check_name = 'sexes_add_up'")
    assert violations == (0,)


# --- the Zensus 2022 database --------------------------------------------------------------------------


def test_the_zensus_answer_ingested_as_received_is_summed_to_kreise_and_laender(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    def count(region: str) -> tuple[object, ...]:
        return one(
            warehouse,
            "SELECT census_count, derivation, census_basis FROM marts.census_comparison "
            "WHERE region_code = ? AND source_table = '1000A-0000'",
            region,
        )

    assert count("06412000") == (zensus_count("064120000000"), "published", "zensus2022")
    assert count("14612000") == (zensus_count("146120000000"), "published", "zensus2022")
    assert count("06") == (zensus_state_sum("06"), "sum_of_gemeinden", "zensus2022")
    assert count("14") == (zensus_state_sum("14"), "sum_of_gemeinden", "zensus2022")
    # next to the Fortschreibung it corrected: Saxony's own 30.06.2022 on the Zensus 2011 basis
    sachsen = one(
        warehouse,
        "SELECT fortschreibung_old_basis, fortschreibung_old_basis_date FROM marts.census_comparison "
        "WHERE region_code = '14' AND source_table = '1000A-0000'",
    )
    assert sachsen[1] == date(2022, 6, 30)
    with sample_path("sachsen_genesis_tabellencsv_12410-010Z_bev_gemeinden_30-06.csv").open(encoding="cp1252") as f:
        land = next(r for r in csv.reader(f, delimiter=";") if r[:2] == ["30.06.2022", "14"])
    assert sachsen[0] == float(land[3])


@pytest.fixture
def zensus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GenesisServer]:
    """The local GENESIS server as the Zensus 2022 database, answering with the recorded table."""
    root = tmp_path / "zensus"
    (root / "tablefile").mkdir(parents=True)
    (root / "metadata").mkdir()
    with zipfile.ZipFile(sample_path(ZENSUS_GEMEINDEN)) as archive:
        (member,) = archive.namelist()
        (root / "tablefile" / "1000A-0000.csv").write_bytes(archive.read(member))
    (root / "metadata" / "1000A-0000.json").write_bytes(sample_path(ZENSUS_METADATA).read_bytes())
    with GenesisServer(root, "census-user", "census-pw") as server:
        point_at(server, "GENESIS_ZENSUS", "census-user", "census-pw", monkeypatch)
        yield server


def test_the_zensus_database_is_a_publisher_of_its_own(
    zensus: GenesisServer, tmp_path: Path, prefect_harness: None
) -> None:
    home = tmp_path / "home"
    summary = nightly(datasets=["census_2022_gemeinden"], as_of=date(2026, 11, 30), home=str(home))
    assert [t.outcome for t in summary.tables] == ["loaded"]
    requests = [s for s in zensus.seen if s.endpoint == "data/tablefile"]
    assert requests and all(s.method == "POST" for s in requests)
    assert requests[0].form["name"] == "1000A-0000" and requests[0].form["endyear"] == "2022"
    with duckdb.connect(str(Paths.from_env(str(home)).warehouse), read_only=True) as con:
        assert one(con, "SELECT census_count, vintage FROM marts.census_comparison WHERE region_code = '06412000'") == (
            zensus_count("064120000000"),
            json_updated(),
        )
        states = con.execute(
            "SELECT region_code, census_count FROM marts.census_comparison "
            "WHERE region_level = 'land' ORDER BY region_code"
        ).fetchall()
    assert states == [("06", zensus_state_sum("06")), ("14", zensus_state_sum("14"))]


def json_updated() -> datetime:
    updated = json.loads(sample_path(ZENSUS_METADATA).read_text("utf-8"))["Object"]["Updated"]
    return datetime.strptime(updated, "%d.%m.%Y %H:%M:%Sh")


# --- the report ----------------------------------------------------------------------------------------


def test_the_change_chart_never_shows_a_plain_difference_across_a_break(all_samples_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--home", str(all_samples_home), "--out", str(target)])
    assert result.exit_code == 0, result.output
    bars = plotted_bars(target.read_text("utf-8"), "population-change")
    start = destatis_kreis("06412", "31.12.2019")
    old_link, new_link, now = flat_total(V4_2023, "06412"), flat_total(V5_2023, "06412"), flat_total(V5_2024, "06412")
    frankfurt = bars["Frankfurt am Main, kreisfreie Stadt"]
    assert frankfurt == pytest.approx(100 * (old_link / start * now / new_link - 1), abs=1e-3)
    assert frankfurt != pytest.approx(100 * (now / start - 1), abs=1e-3)
    with duckdb.connect(str(Paths.from_env(str(all_samples_home)).warehouse), read_only=True) as con:
        allowed = dict(
            con.execute(
                "SELECT region_name, change_5y_percent FROM marts.population_change WHERE region_level = 'kreis' "
                "AND ref_date = DATE '2024-12-31' AND change_5y_method IN ('direct', 'linked')"
            ).fetchall()
        )
    assert bars == pytest.approx(allowed)  # every bar is a direct or a linked change, and every one is drawn


def plotted_bars(page: str, chart: str) -> dict[str, float]:
    """Region name -> bar length of one chart, read from the figure data plotly embeds."""
    match = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(chart) + r'",\s*', page)
    assert match, f"no chart {chart}"
    traces, _ = json.JSONDecoder().raw_decode(page, match.end())
    return {name: value for trace in traces for name, value in zip(trace["y"], trace["x"], strict=True)}


def test_the_plausibility_check_expects_a_jump_at_a_re_basing() -> None:
    from demografie.warehouse.sqlfiles import read_sql

    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA core")
        con.execute(
            "CREATE TABLE core.valid_observations AS SELECT *, 'population' AS measure, 'total' AS sex, "
            "'total' AS nationality, NULL::SMALLINT AS age_from, NULL::SMALLINT AS age_to, 'kreis' AS region_level "
            "FROM (VALUES ('t', '06412', DATE '2022-12-31', 100.0, 'zensus2011'), "
            "('t', '06412', DATE '2023-12-31', 85.0, 'zensus2022'), "
            "('t', '06411', DATE '2022-12-31', 100.0, 'zensus2022'), "
            "('t', '06411', DATE '2023-12-31', 85.0, 'zensus2022')) AS v(source_table, region_code, ref_date, value, "
            "census_basis)"
        )
        flagged = con.execute(read_sql("checks/plausible_population_change.sql")).fetchall()
    assert [row[1] for row in flagged] == ["06411"]  # 06412's jump is the re-basing

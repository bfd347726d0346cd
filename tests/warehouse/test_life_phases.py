"""Rural areas against the Oberzentren: the BBSR settlement-structure types and net migration by
life phase, each figure computed here from the raw sample bytes (csv module), not by our parsers."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie import catalog
from demografie.cli import app
from demografie.settings import Paths
from demografie.transforms.formats import parse
from demografie.transforms.normalise import Provenance, normalise
from demografie.warehouse.lake import write_delivery
from tests.support import REPO, fill_lake, sample_path
from tests.warehouse.test_indicators import KREISE_SINGLE_YEARS, age_bands, persons

MIGRATION = "regio_tabellencsv_12711-02-02-4_stand2017-10-10_utf8.csv"
BBSR = "bbsr_csv_siedlungsstrukt-kreistypen-2020.csv"
BANDS = ("unter 18 Jahre", "18 bis unter 25 Jahre", "25 bis unter 30 Jahre", "30 bis unter 50 Jahre",
         "50 bis unter 65 Jahre", "65 Jahre und mehr", "Insgesamt")  # fmt: skip
runner = CliRunner()


def migration_rows() -> dict[tuple[str, str], list[str]]:
    """(region key, age band) -> the row's twelve figures, as the file prints them."""
    with sample_path(MIGRATION).open(encoding="utf-8", newline="") as handle:
        return {(r[0], r[2]): r[3:] for r in csv.reader(handle, delimiter=";") if len(r) == 15 and r[2] in BANDS}


def bbsr_rows() -> dict[str, tuple[str, str, str]]:
    with sample_path(BBSR).open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_the_bbsr_types_are_those_the_bbsr_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    published = bbsr_rows()
    held = warehouse.execute(
        "SELECT bbsr_code, name, structure::VARCHAR, structure_name, classification_year FROM meta.settlement_structure"
    ).fetchall()
    assert {code: (name, kind, kind_name) for code, name, kind, kind_name, _ in held} == published
    assert {year for *_, year in held} == {2020} and len(held) == 401  # every Kreis of Germany in 2020
    types = dict(warehouse.execute("SELECT region_code, settlement_structure FROM core.region_settlement").fetchall())
    assert (types["06412"], types["06535"], types["14626"], types["14522"]) == (1, 4, 4, 3)
    assert types["06412000"] == 1 and types["06535001"] == 4  # a Gemeinde has its Kreis' type


def test_migration_by_age_group_is_held_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    raw = migration_rows()
    query = (
        "SELECT value FROM core.current_observations WHERE source_table = '12711-02-02-4' AND measure = ? "
        "AND region_code = ? AND ref_date = DATE '2015-12-31' AND sex = 'total' AND age_from IS NOT DISTINCT FROM ? "
        "AND age_to IS NOT DISTINCT FROM ?"
    )
    hessen_in = warehouse.execute(query, ["moves_in_across_gemeinden", "06", None, None]).fetchall()
    assert hessen_in == [(float(raw[("06", "Insgesamt")][0]),)] == [(550726.0,)]
    vogelsberg_out = warehouse.execute(query, ["moves_out_across_gemeinden", "06535", 18, 24]).fetchall()
    assert vogelsberg_out == [(float(raw[("06535", "18 bis unter 25 Jahre")][6]),)]
    abroad = warehouse.execute(query, ["moves_in_from_abroad", "14", 65, None]).fetchall()
    assert abroad == [(float(raw[("14", "65 Jahre und mehr")][3]),)]


def test_net_migration_of_families_adds_the_children_and_their_parents(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    raw = migration_rows()
    children, parents = raw[("06535", "unter 18 Jahre")], raw[("06535", "30 bis unter 50 Jahre")]
    expected = float(children[0]) + float(parents[0]) - float(children[6]) - float(parents[6])
    row = warehouse.execute(
        "SELECT net_migration, population, net_migration_per_1000, settlement_structure_name, ages "
        "FROM marts.migration_by_life_phase WHERE region_code = '06535' AND year = 2015 AND life_phase = 'families'"
    ).fetchall()
    # 2015 has no population by age in the samples: the balance is given, the rate is not
    assert row == [
        (expected, None, None, "Dünn besiedelter ländlicher Kreis",
         "families: children (under 18) and families: parents (30-49)"),
    ]  # fmt: skip


# --- the rate, on a small fixture: synthetic moves for 2020 over the real population of 31.12.2020 --


def synthetic_moves(year: int) -> bytes:
    """12711-02-02-4 in its recorded layout for `year`, every Kreis of both states, made-up figures:
    moves in = 100 + 10 * band, moves out = 60 + 7 * band (band 0 = under 18, ...)."""
    lines = sample_path(MIGRATION).read_text("utf-8").splitlines()
    head = [("2020" + line[4:]) if line.startswith("2015;") else line for line in lines[:10]]
    footer = lines[next(i for i, line in enumerate(lines) if line.startswith("__________")) :]
    kreise = sorted({code for code, _ in migration_rows() if len(code) == 5 and code[:2] in ("06", "14")})
    body = []
    for code in kreise:
        for band, label in enumerate(BANDS[:-1]):
            moves_in, moves_out = 100 + 10 * band, 60 + 7 * band
            split_in, split_out = (
                f"{moves_in // 2};{moves_in - moves_in // 2}",
                f"{moves_out // 2};{moves_out - moves_out // 2}",
            )
            body.append(f"{code};Kreis {code};{label};{moves_in};{split_in};0;0;0;{moves_out};{split_out};0;0;0")
    return "\n".join([*head, *body, *footer]).replace("2015", str(year)).encode("utf-8")


@pytest.fixture(scope="module")
def rates_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("life-phases")
    fill_lake(home, [sample_path(KREISE_SINGLE_YEARS)])
    stamp = dt.datetime(2021, 6, 1)
    provenance = Provenance("migration_age_groups", "regio", "12711-02-02-4", stamp, stamp, "fixture", synthetic=True)
    observations = normalise(
        parse(synthetic_moves(2020), "fixture"), provenance, catalog.find("migration_age_groups").measures, ["06", "14"]
    )
    write_delivery(Paths.from_env(home).lake, observations, content_sha256="2" * 64, raw_file="raw/fixture")
    built = runner.invoke(app, ["build", "--home", str(home)])
    assert built.exit_code == 0, built.output
    return home


def test_net_migration_per_1000_of_the_ages_of_the_phase(rates_home: Path) -> None:
    bands = age_bands(KREISE_SINGLE_YEARS, "06535")
    # education is band 1 (18-24): in 110, out 67
    expected = (110.0 - 67.0, persons(bands, 18, 24))
    with duckdb.connect(str(Paths.from_env(rates_home).warehouse), read_only=True) as con:
        row = con.execute(
            "SELECT net_migration, population, net_migration_per_1000, synthetic FROM marts.migration_by_life_phase "
            "WHERE region_code = '06535' AND year = 2020 AND life_phase = 'education'"
        ).fetchone()
    assert row == (*expected, round(1000 * expected[0] / expected[1], 3), True)


def test_the_rural_and_the_city_kreise_of_each_state_side_by_side(rates_home: Path) -> None:
    types = bbsr_rows()
    rural = {code[:5] for code, (_, kind, _) in types.items() if kind == "4"}
    cities = {code[:5] for code, (_, kind, _) in types.items() if kind == "1"}

    def rate(kreise: set[str], state: str) -> float:
        mine = [k for k in kreise if k.startswith(state)]
        # retirement is band 5 (65+): in 150, out 95 in every Kreis
        net = (150.0 - 95.0) * len(mine)
        population = sum(persons(age_bands(KREISE_SINGLE_YEARS, k), 65) for k in mine)
        return round(1000 * net / population, 3)

    with duckdb.connect(str(Paths.from_env(rates_home).warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT area, hessen, sachsen, hessen_kreise, hessen_kreise_expected, synthetic "
            "FROM marts.indicator_comparison WHERE indicator = 'net_migration_retirement_per_1000' "
            "AND ref_date = DATE '2020-12-31' AND area IN ('kreisfreie Großstadt', 'Dünn besiedelter ländlicher Kreis')"
        ).fetchall()
    by_area = {area: rest for area, *rest in rows}
    assert by_area["Dünn besiedelter ländlicher Kreis"] == [
        rate(rural, "06"), rate(rural, "14"), len({k for k in rural if k.startswith("06")}),
        len({k for k in rural if k.startswith("06")}), True,
    ]  # fmt: skip
    assert by_area["kreisfreie Großstadt"][:2] == [rate(cities, "06"), rate(cities, "14")]


def test_the_shipped_bbsr_file_is_the_recorded_one_byte_for_byte() -> None:
    shipped = REPO / "demografie" / "reference" / "bbsr_siedlungsstrukt-kreistypen-2020.csv"
    recorded = REPO / "tests" / "data" / "samples" / BBSR  # the repository's copy, whatever DEMOGRAFIE_SAMPLES says
    assert shipped.read_bytes() == recorded.read_bytes()

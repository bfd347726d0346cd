"""Projections are never observations: Destatis 12421 through the v5 flat-file path of the local
server, in the recorded layout (variant as classifying variable), with the figures of the recorded
(MODIFIED) copies read here by openpyxl and the csv module, never by our parsers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest

from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.settings import Paths
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import header_columns
from demografie.transforms.formats import parse
from tests.support import fill_lake, metadata_answer, point_at, sample_path

XLSX = "destatis_xlsx_12421-0003_15kbv_en_MODIFIED.xlsx"  # 15th edition, 5 variants, 2022-2070
AGES = "destatis_tabellencsv_12421-0004_14kbv_MODIFIED.csv"  # 14th edition, 3 variants, 2019-2060
OBSERVED = "destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv"
STATES = {"Hessen": "06", "Sachsen": "14"}
VARIANT = "BEV-VARIANTE-"
LAST_AGE_YEAR = 2030  # the fixture of 12421-0004 keeps the dates up to 2030 (the suite stays fast)


def projection_3(state: str) -> dict[tuple[str, str], float]:
    """(variant, date) -> thousands for one Land, as the recorded xlsx prints them."""
    sheet = openpyxl.load_workbook(sample_path(XLSX), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    dates, variant = rows[1][1:], ""
    figures: dict[tuple[str, str], float] = {}
    for row in rows[2:]:
        if isinstance(row[0], str) and row[0].startswith(VARIANT):
            variant = row[0].split()[0]
        elif row[0] == state:
            figures |= {(variant, str(day)): float(str(v)) for day, v in zip(dates, row[1:], strict=False) if day}
    return figures


def projection_4() -> list[list[str]]:
    """The rows of the recorded 12421-0004 of Hessen and Sachsen, all sexes: Land, variant code,
    variant label, sex, age, then one figure per date."""
    with sample_path(AGES).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter=";") if row and row[0] in STATES]


def ages_dates() -> list[str]:
    with sample_path(AGES).open(encoding="utf-8", newline="") as handle:
        header = [row for _, row in zip(range(7), csv.reader(handle, delimiter=";"), strict=False)][-1]
    return [day for day in header if day]


def v5_line(variables: list[tuple[str, str, str, str]], day: str, value: str) -> str:
    cells = ["12421", "Bevölkerungsvorausberechnung", "STAG", "Stichtag", day]
    for code, label, attribute, attribute_label in variables:
        cells += [code, label, attribute, attribute_label]
    return ";".join([*cells, value, "1000", "BEV050", "Vorausberechneter Bevölkerungsstand"])


def land(name: str) -> tuple[str, str, str, str]:
    return ("DLAND", "Bundesländer", STATES[name], name)


def flat_file_3() -> str:
    """12421-0003 as the v5 flat file of the Stand 08.12.2025 is laid out (data-sources.md), with the
    15th edition's figures of the recorded xlsx: decimal comma, unit 1000, variant BEVPR2."""
    lines = [";".join(header_columns(2))]
    for name in STATES:
        for (variant, day), value in projection_3(name).items():
            variables = [land(name), ("BEVPR2", "Varianten der Bevölkerungsvorausberechnung", variant, variant)]
            lines.append(v5_line(variables, day, f"{value:.1f}".replace(".", ",")))
    return "\n".join(lines) + "\n"


def age_code(label: str) -> tuple[str, str]:
    if label == "Insgesamt":
        return ("", "Insgesamt")
    if label == "unter 1 Jahr":
        return ("ALTVOLL000", label)
    if label.endswith("und mehr"):
        return (f"ALTVOLL{int(label.split()[0]):03d}UM", label)
    return (f"ALTVOLL{int(label.split('-')[0]):03d}", label)


def flat_file_4() -> str:
    """12421-0004 (14th edition) as a v5 flat file, sex total only, the dates up to 2030."""
    lines = [";".join(header_columns(4))]
    dates = ages_dates()
    for row in projection_4():
        if row[3] != "Insgesamt":
            continue
        variables = [
            land(row[0]),
            ("BEVPR2", "Varianten der Bevölkerungsvorausberechnung", row[1], row[2]),
            ("GES", "Geschlecht", "", "Insgesamt"),
            ("ALTX20", "Altersjahre", *age_code(row[4])),
        ]
        for day, value in zip(dates, row[5:], strict=True):
            if int(day[-4:]) <= LAST_AGE_YEAR:
                iso = f"{day[-4:]}-{day[3:5]}-{day[:2]}"
                lines.append(v5_line(variables, iso, value))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def projections_home(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Path]:
    home, root = tmp_path_factory.mktemp("projections"), tmp_path_factory.mktemp("destatis")
    (root / "tablefile").mkdir()
    (root / "metadata").mkdir()
    tables = {
        # the xlsx footer: "created: 2023-05-17 / 16:01:27"; the cut-off 12421-0004 has no Stand left,
        # so a day in the 14th edition's time is given
        "12421-0003": (flat_file_3(), "17.05.2023 16:01:27h"),
        "12421-0004": (flat_file_4(), "15.07.2019 10:00:00h"),
    }
    for table, (flat, updated) in tables.items():
        (root / "tablefile" / f"{table}.csv").write_text(flat, "utf-8")
        (root / "metadata" / f"{table}.json").write_text(metadata_answer(table, table, updated), "utf-8")
    fill_lake(home, [sample_path(OBSERVED)])
    with pytest.MonkeyPatch.context() as mp, GenesisServer(root, "demo", "demo") as server:
        point_at(server, "GENESIS_DESTATIS", "demo", "demo", mp)
        summary = nightly(datasets=["population_projection", "population_projection_ages"], home=str(home))
    assert summary.failures == []
    yield home


def query(home: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(Paths.from_env(home).warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_projected_population_by_variant_is_held_as_published(projections_home: Path) -> None:
    hessen, sachsen = projection_3("Hessen"), projection_3("Sachsen")
    sql = (
        "SELECT projected_population, edition, base_date::VARCHAR, base_census_basis FROM marts.population_projection "
        "WHERE source_table = '12421-0003' AND region_code = ? AND variant = ? AND ref_date = ?::DATE"
    )
    first = query(projections_home, sql, ["06", "BEV-VARIANTE-01", "2022-12-31"])
    assert first == [(1000 * hessen[("BEV-VARIANTE-01", "2022-12-31")], 15, "2021-12-31", "zensus2011")]
    assert first[0][0] == 6363100.0
    last = query(projections_home, sql, ["14", "BEV-VARIANTE-05", "2070-12-31"])
    assert [row[0] for row in last] == [pytest.approx(1000 * sachsen[("BEV-VARIANTE-05", "2070-12-31")])]


def test_a_projection_is_never_an_observation(projections_home: Path) -> None:
    for mart in ("marts.population", "marts.population_change", "marts.land_totals", "core.preferred_observations"):
        leaked = query(projections_home, f"SELECT count(*) FROM {mart} WHERE source_table LIKE '12421-%'")
        assert leaked == [(0,)], mart
    # the observed figures end in 2022: no date after it is in the population mart
    latest = query(projections_home, "SELECT max(ref_date)::VARCHAR FROM marts.population")
    assert latest == [("2022-12-31",)]


def test_the_gap_between_projection_and_observation_names_both_bases(projections_home: Path) -> None:
    with sample_path(OBSERVED).open(encoding="cp1252", newline="") as handle:
        lines = list(csv.reader(handle, delimiter=";"))
    states = next(line for line in lines if "Hessen" in line)
    total = next(line for line in lines if line[:2] == ["31.12.2022", "Insgesamt"])
    observed = float(total[states.index("Hessen")])
    projected = 1000 * projection_3("Hessen")[("BEV-VARIANTE-02", "2022-12-31")]
    rows = query(
        projections_home,
        "SELECT projected_population, observed_population, gap, projection_census_basis, observation_census_basis, "
        "same_basis FROM marts.projection_gap WHERE region_code = '06' AND variant = 'BEV-VARIANTE-02' "
        "AND ref_date = DATE '2022-12-31' AND edition = 15",
    )
    assert rows == [(projected, observed, projected - observed, "zensus2011", "zensus2011", True)]


def test_the_projected_age_structure_and_replacement_ratio(projections_home: Path) -> None:
    rows = {(r[1], r[4]): r[5:] for r in projection_4() if r[0] == "Sachsen" and r[3] == "Insgesamt"}
    column = ages_dates().index("31.12.2030")  # the figures of a row follow its five stub cells

    def persons(low: int, high: int) -> float:
        labels = ["unter 1 Jahr" if a == 0 else f"{a}-Jährige" for a in range(low, high + 1)]
        return sum(1000 * float(rows[("BEV-VARIANTE-02", label)][column]) for label in labels)

    result = query(
        projections_home,
        "SELECT projected_population, age_15_19, age_60_64, replacement_ratio_15_19_per_60_64, edition "
        "FROM marts.projected_age_structure WHERE region_code = '14' AND variant = 'BEV-VARIANTE-02' "
        "AND ref_date = DATE '2030-12-31'",
    )
    young, old = persons(15, 19), persons(60, 64)
    all_ages = sum(
        1000 * float(v[column])
        for (variant, age), v in rows.items()
        if variant == "BEV-VARIANTE-02" and age != "Insgesamt"
    )
    assert result == [(all_ages, young, old, round(100 * young / old, 3), 14)]


def test_the_re_saved_copies_themselves_are_refused_with_what_is_wrong() -> None:
    with pytest.raises(ParseError, match="without its first line 'GENESIS-Tabelle: <code>'"):
        parse(sample_path(AGES).read_bytes(), "destatis: table 12421-0004")
    with pytest.raises(ParseError, match="download it as flat file"):
        parse(sample_path(XLSX).read_bytes(), "destatis: table 12421-0003")


SIXTEENTH = "destatis_v5_ffcsv_12421-0003_16kbv_2026-09_EXCERPT.csv"  # Stand 08.12.2025 16:49:43


def test_the_16th_projection_is_its_own_edition_on_the_zensus_2022(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "destatis"
    (root / "tablefile").mkdir(parents=True)
    (root / "metadata").mkdir()
    (root / "tablefile" / "12421-0003.csv").write_bytes(sample_path(SIXTEENTH).read_bytes())
    title = "Vorausberechneter Bevölkerungsstand: Bundesländer, Stichtag, Varianten"
    (root / "metadata" / "12421-0003.json").write_text(metadata_answer("12421-0003", title, "08.12.2025 16:49:43h"))
    with GenesisServer(root, "demo", "demo") as server:
        point_at(server, "GENESIS_DESTATIS", "demo", "demo", monkeypatch)
        summary = nightly(datasets=["population_projection"], home=str(tmp_path / "home"))
    assert summary.failures == []
    with sample_path(SIXTEENTH).open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if r["1_variable_attribute_code"] in STATES.values()]
    expected = sorted(
        (
            r["1_variable_attribute_code"],
            r["2_variable_attribute_code"],
            r["time"],
            1000 * float(r["value"].replace(",", ".")),
            16,
            "2024-12-31",
            "zensus2022",
        )
        for r in rows
    )
    held = query(
        tmp_path / "home",
        "SELECT region_code, variant, ref_date::VARCHAR, projected_population, edition, base_date::VARCHAR, "
        "base_census_basis FROM marts.population_projection ORDER BY ALL",
    )
    assert held == expected and len(held) == 9

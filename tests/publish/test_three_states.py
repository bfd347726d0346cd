"""Three Länder compared (DEMOGRAFIE_STATES=06,14,16) over real recorded files: the wide marts get a
column per Land, every figure is the file's, the report compares all three and the map draws three
panels, Eisenach's figures of 2020 inside the Wartburgkreis of the 2024 boundaries. And every Land
has its census bases: the East's register, Berlin's two halves, the West's VZ 1987."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.settings import Settings
from demografie.usecases.rebuild import rebuild
from tests.support import POPULATION, fill_lake, sample_path

THREE = "06,14,16"
KREIS_AGES = "regio_tabellencsv_12411-04-02-4_kreise_altersjahre_2020-12-31.csv"
LAND_AGES = "regio_tabellencsv_12411-04-02-4-B_laender_altersjahre_2019-12-31.csv"
DESTATIS_LAENDER = "destatis_genesis_tabellencsv_12411-0012_laender_altersjahre.csv"
BKG = "bkg_vg1000_2024-12-31.zip"
UNEMPLOYMENT = "regio_tabellencsv_13211-02-05-4_2023.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("three") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEMOGRAFIE_STATES", THREE)
        fill_lake(home, [sample_path(POPULATION)])
        tables = (KREIS_AGES, LAND_AGES, DESTATIS_LAENDER, UNEMPLOYMENT)
        fill_lake(home, [sample_path(name) for name in tables])
        rebuild(Settings.from_env(home))
        result = runner.invoke(app, ["geodata", "--file", str(sample_path(BKG)), "--home", str(home)])
        assert result.exit_code == 0, result.output
        yield home


def kreis_ages(prefix: str) -> dict[str, dict[str, int]]:
    """Kreis key -> age label -> persons, as the recorded table prints them (31.12.2020)."""
    with sample_path(KREIS_AGES).open(encoding="latin-1", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if len(r) == 6 and re.fullmatch(r"\d{5}", r[0])]
    ages: dict[str, dict[str, int]] = {}
    for code, _, age, total, *_ in rows:
        if code.startswith(prefix) and total.isdigit():
            ages.setdefault(code, {})[age] = int(total)
    return ages


def share_65_plus(kreise: Iterable[dict[str, int]]) -> float:
    """Per cent of 65 and older, over the Kreise together, from the file's age rows and totals."""
    old = total = 0
    for ages in kreise:
        old += sum(n for label, n in ages.items() if (first := re.match(r"\d+", label)) and int(first[0]) >= 65)
        total += ages["Insgesamt"]
    return 100 * old / total


def report_page(home: Path, target: Path, *options: str) -> str:
    """The report `demografie report` writes with `options`, as text."""
    result = runner.invoke(app, ["report", *options, "--home", str(home), "--out", str(target)])
    assert result.exit_code == 0, result.output
    return target.read_text("utf-8")


def query(home: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_wide_marts_have_a_column_per_land_with_the_files_figures(three: Path) -> None:
    assert query(three, "SELECT state, name, column_name FROM meta.states ORDER BY 1") == [
        ("06", "Hessen", "hessen"),
        ("14", "Sachsen", "sachsen"),
        ("16", "Thüringen", "thueringen"),
    ]
    with sample_path(KREIS_AGES).open(encoding="latin-1", newline="") as handle:
        land = {r[2]: int(r[3]) for r in csv.reader(handle, delimiter=";") if len(r) == 6 and r[0] == "16"}
    totals = query(
        three,
        "SELECT thueringen, thueringen_derivation, hessen IS NOT NULL, sachsen IS NOT NULL "
        "FROM marts.state_comparison WHERE source_table = '12411-04-02-4' AND ref_date = DATE '2020-12-31' "
        "AND measure = 'population' AND sex = 'total' AND nationality = 'total' AND age_from IS NULL",
    )
    assert totals == [(land["Insgesamt"], "published", True, True)]

    # share of 65 and older over Thüringen's 23 Kreise of 2020 (Eisenach still kreisfrei)
    kreise = kreis_ages("16")
    expected = share_65_plus(kreise.values())
    ((value, counted, existing),) = query(
        three,
        "SELECT thueringen, thueringen_kreise, thueringen_kreise_expected FROM marts.indicator_comparison "
        "WHERE indicator = 'share_65_plus' AND area = 'land' AND ref_date = DATE '2020-12-31'",
    )
    assert (counted, existing) == (23, 23) and len(kreise) == 23
    assert value == pytest.approx(expected, abs=0.0005)


def test_thueringen_from_the_destatis_laender_table_is_every_figure_of_the_file(three: Path) -> None:
    """Destatis 12411-0012 prints every Land as a column, 1967 to 2022: each date's total and its
    ages of Thüringen in the warehouse are those of the file ('-' before 1990: no figure)."""
    with sample_path(DESTATIS_LAENDER).open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    column = rows[5].index("Thüringen")
    printed: dict[str, tuple[float, float, int]] = {}
    for row in rows:
        if len(row) > column and re.fullmatch(r"\d\d\.\d\d\.\d{4}", row[0]) and row[column].isdigit():
            day = "-".join(reversed(row[0].split(".")))
            total, ages, count = printed.get(day, (0.0, 0.0, 0))
            if row[1] == "Insgesamt":
                printed[day] = (float(row[column]), ages, count)
            else:
                printed[day] = (total, ages + float(row[column]), count + 1)
    held = query(
        three,
        "SELECT CAST(ref_date AS VARCHAR), sum(value) FILTER (WHERE age_from IS NULL), "
        "sum(value) FILTER (WHERE age_from IS NOT NULL), count(value) FILTER (WHERE age_from IS NOT NULL) "
        "FROM core.current_observations WHERE source_table = '12411-0012' AND region_code = '16' GROUP BY 1",
    )
    assert {day: (total, ages, count) for day, total, ages, count in held if total is not None} == printed
    assert min(printed) == "1990-12-31" and len(printed) == 33


def test_the_report_compares_all_three(three: Path, tmp_path: Path) -> None:
    page = report_page(three, tmp_path / "report.html")
    assert "<h1>Hessen, Sachsen and Thüringen: demography and labour market</h1>" in page
    for land in ("Hessen", "Sachsen", "Thüringen"):
        assert f'"name":"{land}, men"' in page  # a pyramid each
        assert re.search(rf'"name":"{land} 65\+ \(Zensus 2011\)"', page)  # dependency ratios
    assert '"marker":{"color":"#1f77b4"}' in page  # Thüringen's colour from laender.csv
    share_map = page.split('<section id="map-share_65_plus">')[1].split("</section>")[0]
    assert '<figure class="map">' in share_map
    assert re.findall(r'font-weight="bold">([^<]+)</text>', share_map) == ["Hessen", "Sachsen", "Thüringen"]


def test_the_map_draws_three_panels_and_eisenach_inside_the_wartburgkreis(three: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["map", "share_65_plus", "--home", str(three), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    svg = ET.parse(tmp_path / "m.svg").getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    headings = [t.text for t in svg.findall("s:text[@font-weight='bold']", ns)]
    assert headings == ["Hessen", "Sachsen", "Thüringen"]
    titles = {
        p.get("data-code"): p.findtext("s:title", namespaces=ns) for p in svg.findall("s:path[@class='kreis']", ns)
    }
    assert len(titles) == 26 + 13 + 22  # the Kreise of the 2024 boundaries
    kreise = kreis_ages("16")
    share = share_65_plus([kreise["16056"], kreise["16063"]])
    assert titles["16063"] == f"Wartburgkreis (16063): {share:,.2f} percent"
    assert (
        "note: Eisenach (part of the Wartburgkreis since 1 July 2021): on 31.12.2020 its figures are added to "
        "those of Wartburgkreis (16063), which contains it in the BKG edition of 31.12.2024."
    ) in " ".join(result.output.split())


def test_every_land_stands_on_its_own_census_bases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMOGRAFIE_STATES", "all")
    fill_lake(tmp_path, [sample_path(DESTATIS_LAENDER)])
    rebuild(Settings.from_env(tmp_path))
    rows = query(
        tmp_path,
        "SELECT state || ' ' || year(ref_date), any_value(census_basis) FROM core.current_observations "
        "WHERE source_table = '12411-0012' AND ref_date IN (DATE '1985-12-31', DATE '2005-12-31') "
        "AND age_from IS NULL AND sex = 'total' GROUP BY ALL",
    )
    bases = {str(key): basis for key, basis in rows}
    assert bases["01 2005"] == bases["09 2005"] == "vz1987"  # the West
    assert bases["12 2005"] == bases["16 2005"] == "register1990"  # the East
    assert bases["11 2005"] == "berlin1990"  # both halves of Berlin
    assert bases["11 1985"] == "vz1970"  # Berlin-West only, before the VZ 1987


def test_a_report_and_a_map_of_some_of_the_warehouses_lander(three: Path, tmp_path: Path) -> None:
    page = report_page(three, tmp_path / "two.html", "--states", "Sachsen,16")
    assert "<h1>Sachsen and Thüringen: demography and labour market</h1>" in page
    assert '"name":"Thüringen, men"' in page and '"name":"Hessen, men"' not in page

    result = runner.invoke(
        app, ["map", "share_65_plus", "--states", "16", "--home", str(three), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    svg = ET.parse(tmp_path / "m.svg").getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [t.text for t in svg.findall("s:text[@font-weight='bold']", ns)] == ["Thüringen"]
    assert {p.get("data-code", "")[:2] for p in svg.findall("s:path[@class='kreis']", ns)} == {"16"}

    absent = runner.invoke(app, ["report", "--states", "09", "--home", str(three), "--out", str(tmp_path / "x.html")])
    assert absent.exit_code == 1
    assert "this warehouse holds no Bayern (09): it was built for 06,14,16" in " ".join(absent.output.split())
    assert not (tmp_path / "x.html").exists()
    wrong = runner.invoke(app, ["map", "share_65_plus", "--states", "Preußen", "--home", str(three)])
    assert wrong.exit_code == 2 and "'Preußen' is not a Land" in wrong.output


def test_one_land_against_the_rest_is_the_ratio_of_their_sums(three: Path, tmp_path: Path) -> None:
    kreise = kreis_ages("06") | kreis_ages("14")
    with duckdb.connect(str(three / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT state_group, value, kreise, kreise_expected FROM marts.indicator_groups(['06', '14', '16'], "
            "['rest', 'rest', '16']) WHERE indicator = 'share_65_plus' AND area = 'land' "
            "AND ref_date = DATE '2020-12-31' ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == ["16", "rest"]
    assert rows[1][1] == pytest.approx(share_65_plus(kreise.values()), abs=0.0005)
    assert rows[1][2] == rows[1][3] == 26 + 13 == len(kreise)

    page = report_page(three, tmp_path / "focus.html", "--focus", "Thüringen")
    assert "<h1>Thüringen against Hessen and Sachsen: demography and labour market</h1>" in page
    assert '"name":"Hessen and Sachsen, men"' in page and '"name":"Hessen, men"' not in page
    assert '"marker":{"color":"#555555"}' in page  # the rest in grey
    unemployment = page.split('id="unemployment"')[1].split("</section>")[0]  # Thüringen's rate only
    assert "Not in this chart: Hessen and Sachsen (the publishers&#x27; rates of several Länder do not add up)." in (
        unemployment
    )

    alone = runner.invoke(app, ["report", "--focus", "16", "--states", "16", "--home", str(three)])
    assert alone.exit_code == 1
    assert "--focus 16: Thüringen is the only Land drawn; there is no rest to compare" in alone.output


def test_status_says_which_lander_are_configured_and_which_the_warehouse_holds(three: Path) -> None:
    result = runner.invoke(app, ["status", "--home", str(three)], env={"DEMOGRAFIE_STATES": "Hessen,Sachsen"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Länder: 06 Hessen, 14 Sachsen" in text
    assert "note: the warehouse holds 06, 14, 16; the next run or `demografie build` builds 06, 14" in text
    same = runner.invoke(app, ["status", "--home", str(three)], env={"DEMOGRAFIE_STATES": THREE})
    assert "Länder: 06 Hessen, 14 Sachsen, 16 Thüringen" in same.output and "the warehouse holds" not in same.output

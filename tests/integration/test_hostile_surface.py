"""The hostile round against the newer surface (user catalog, uncatalogued tables, deliveries,
geodata, maps, the build that reuses the live warehouse, tuning, signals): each defect tried as a
user would meet it, asserting what the user sees (the exact refusal, the unchanged warehouse, the
absent secret). docs/reliability.md lists them (tests/reliability.py, SURFACE_CASES)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb
import pytest
import shapefile
from pyproj import Transformer
from typer.testing import CliRunner, Result

from demografie import catalog
from demografie.cli import app
from demografie.devserver.largefile import write_large_flat_file
from demografie.devserver.server import GenesisServer
from demografie.flows.ingest import ingest
from demografie.flows.nightly import nightly
from demografie.flows.runs import RunFailedError
from demografie.publish.maps import Figure, choropleth, render_svg, shapes_from_rows
from demografie.settings import Paths
from demografie.transforms.boundaries import read_edition
from demografie.transforms.normalise import Provenance
from demografie.usecases.runlog import RunSummary
from demografie.warehouse.deliveries import Delivery, load_delivery
from demografie.warehouse.lake import committed_entries
from tests.support import built_once, metadata_answer, point_at, sample_path

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


# --- geodata ------------------------------------------------------------------------------------

BKG = "bkg_vg1000_2024-12-31.zip"
LAYER_DIR = "vg1000_ebenen_1231/"
WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


def package(target: Path, changed: Mapping[str, bytes | None]) -> Path:
    """The recorded VG1000 package with members replaced (None: left out)."""
    with zipfile.ZipFile(sample_path(BKG)) as recorded, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in recorded.infolist():
            if info.filename not in changed:
                copy.writestr(info.filename, recorded.read(info))
        for name, data in changed.items():
            if data is not None:
                copy.writestr(name, data)
    return target


def rewritten_layer(
    layer: str,
    point: Callable[[float, float], tuple[float, float]],
    drop: str = "",
    rename: dict[str, tuple[str, str]] | None = None,
) -> dict[str, bytes]:
    """A layer of the recorded package written anew with each point moved by `point`; the Kreis
    `drop` loses its geometry; `rename` gives Kreise another AGS and GEN."""
    with zipfile.ZipFile(sample_path(BKG)) as recorded:
        stem = f"{LAYER_DIR}VG1000_{layer}"
        reader = shapefile.Reader(
            shp=io.BytesIO(recorded.read(f"{stem}.shp")),
            shx=io.BytesIO(recorded.read(f"{stem}.shx")),
            dbf=io.BytesIO(recorded.read(f"{stem}.dbf")),
            encoding="utf-8",
        )
        shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
        with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=reader.shapeType, encoding="utf-8") as writer:
            for f in reader.fields[1:]:
                writer.field(f.name, f.field_type, 60 if f.name == "AGS" else f.size, f.decimal)
            for record, shape in zip(reader.records(), reader.shapes(), strict=True):
                values = record.as_dict()
                if record["AGS"] in (rename or {}):
                    values["AGS"], values["GEN"] = (rename or {})[record["AGS"]]
                writer.record(**values)
                if record["AGS"] == drop:
                    writer.null()
                else:
                    moved = [point(x, y) for x, y in shape.points]
                    writer.shape(shapefile.Shape(shape.shapeType, moved, list(shape.parts)))
    return {f"{stem}.shp": shp.getvalue(), f"{stem}.shx": shx.getvalue(), f"{stem}.dbf": dbf.getvalue()}


def same(x: float, y: float) -> tuple[float, float]:
    return x, y


def geodata(home: Path, *options: str) -> Result:
    return runner.invoke(app, ["geodata", *options, "--home", str(home)], env=WIDE)


def nothing_kept(home: Path) -> bool:
    return not (home / "raw" / "bkg").exists() and not (home / "lake" / "geodata").exists()


def areas(home: Path) -> dict[str, float]:
    return dict(query(home, "SELECT region_code, area_km2 FROM geo.boundaries"))  # type: ignore[arg-type]


def test_a_package_in_wgs84_is_read_in_its_own_coordinates(tmp_path: Path) -> None:
    """The .prj says what the coordinates are: degrees are not metres (areas of 0 km² before)."""
    to_wgs84 = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    changed: dict[str, bytes | None] = {}
    for layer in ("KRS", "LAN"):
        changed |= rewritten_layer(layer, lambda x, y: to_wgs84.transform(x, y))
        changed[f"{LAYER_DIR}VG1000_{layer}.prj"] = WGS84_PRJ.encode()
    assert geodata(tmp_path / "utm", "--file", str(sample_path(BKG))).exit_code == 0
    result = geodata(tmp_path / "wgs84", "--file", str(package(tmp_path / "wgs84.zip", changed)))
    assert result.exit_code == 0, result.output
    utm, wgs84 = areas(tmp_path / "utm"), areas(tmp_path / "wgs84")
    assert utm.keys() == wgs84.keys() and all(abs(wgs84[k] / utm[k] - 1) < 1e-3 for k in utm)


def test_a_kreis_without_geometry_is_named_and_nothing_is_kept(tmp_path: Path) -> None:
    saved = package(tmp_path / "vg1000.zip", dict(rewritten_layer("KRS", same, drop="06411")))
    result = geodata(tmp_path / "home", "--file", str(saved))
    assert result.exit_code == 1
    assert "Error: bkg: vg1000.zip: layer VG1000_KRS: 06411 Darmstadt has no geometry" in result.output
    assert nothing_kept(tmp_path / "home")


def test_an_unknown_cpg_encoding_is_named_and_nothing_is_kept(tmp_path: Path) -> None:
    saved = package(tmp_path / "vg1000.zip", {f"{LAYER_DIR}VG1000_KRS.cpg": b"X-KLINGON-1"})
    result = geodata(tmp_path / "home", "--file", str(saved))
    assert result.exit_code == 1
    assert "layer VG1000_KRS: its .cpg names the encoding 'X-KLINGON-1', which is unknown" in result.output
    assert nothing_kept(tmp_path / "home")


def test_a_gebietsstand_in_the_future_is_refused(tmp_path: Path) -> None:
    saved = package(tmp_path / "vg1000.zip", {"aktualitaet.txt": b"31.12.2205\r\n"})
    result = geodata(tmp_path / "home", "--file", str(saved))
    assert result.exit_code == 1
    assert "aktualitaet.txt gives the Gebietsstand 31.12.2205, which lies in the future" in result.output
    assert nothing_kept(tmp_path / "home")


def test_a_member_larger_than_the_limit_is_not_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMOGRAFIE_MAX_UNPACKED_BYTES", "1000000")  # the Kreis layer's .shp has 3.7 MB
    result = geodata(tmp_path / "home", "--file", str(sample_path(BKG)))
    assert result.exit_code == 1
    assert (
        f"{LAYER_DIR}VG1000_KRS.shp declares 3,695,752 bytes, more than DEMOGRAFIE_MAX_UNPACKED_BYTES (1,000,000 bytes)"
        in result.output
    )
    assert nothing_kept(tmp_path / "home")


def test_a_download_url_with_a_password_is_refused(tmp_path: Path) -> None:
    result = geodata(tmp_path / "home", "--url", "https://ich:geheim-123@daten.example/vg1000.zip")
    assert result.exit_code == 2
    assert "--url carries a user name or password; put the credentials in DEMOGRAFIE_BKG_USERNAME" in result.output
    assert "geheim-123" not in result.output
    assert nothing_kept(tmp_path / "home")


def test_a_package_folder_gives_only_its_layers_and_follows_no_link(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / ".env").write_text("GENESIS_REGIO_PASSWORD=Zq7xSecret456\n", "utf-8")
    folder = tmp_path / "vg1000"
    with zipfile.ZipFile(sample_path(BKG)) as recorded:
        recorded.extractall(folder)
    (folder / LAYER_DIR / "secret.key").write_text("-----BEGIN PRIVATE KEY----- Zq7xSecret789", "utf-8")
    (folder / "link.env").symlink_to(outside / ".env")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "aktualitaet_link").symlink_to(outside)
    home = tmp_path / "home"
    result = geodata(home, "--file", str(folder))
    assert result.exit_code == 0, result.output
    (kept,) = (home / "raw" / "bkg" / "VG1000").glob("*.zip")
    with zipfile.ZipFile(kept) as landed:
        names = sorted(landed.namelist())
    assert names == sorted(
        [
            "aktualitaet.txt",
            *(
                f"{LAYER_DIR}VG1000_{layer}.{suffix}"
                for layer in ("KRS", "LAN")
                for suffix in ("cpg", "dbf", "prj", "shp", "shx")
            ),
        ]
    )
    for file in home.rglob("*"):
        if file.is_file():
            assert b"Zq7xSecret" not in file.read_bytes(), file


# --- maps -----------------------------------------------------------------------------------------

AGES_2020 = "regio_tabellencsv_12411-04-02-4_kreise_altersjahre_2020-12-31.csv"  # share_65_plus per Kreis
MARKUP = "Kassel</title><script>alert(1)</script><title>"


def test_a_region_key_with_markup_is_refused(tmp_path: Path) -> None:
    saved = package(tmp_path / "vg1000.zip", rewritten_layer("KRS", same, rename={"06611": ('06611"><x', "Kassel")}))
    result = geodata(tmp_path / "home", "--file", str(saved))
    assert result.exit_code == 1
    assert """layer VG1000_KRS: AGS '06611"><x' is not the key of a kreis""" in result.output
    assert nothing_kept(tmp_path / "home")


def test_a_region_name_with_markup_is_text_in_the_map(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest([str(sample_path(AGES_2020))], home=str(home))
    saved = package(tmp_path / "vg1000.zip", rewritten_layer("KRS", same, rename={"06611": ("06611", MARKUP)}))
    assert geodata(home, "--file", str(saved)).exit_code == 0
    result = runner.invoke(app, ["map", "share_65_plus", "--home", str(home), "--out", str(tmp_path / "m")], env=WIDE)
    assert result.exit_code == 0, result.output
    svg = ET.parse(tmp_path / "m.svg").getroot()  # still well-formed
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(svg.iter(f"{ns}script"))
    (kassel,) = [p for p in svg.iter(f"{ns}path") if p.get("data-code") == "06611"]
    assert (kassel.findtext(f"{ns}title") or "").startswith(f"{MARKUP} (06611): ")
    page = (tmp_path / "m.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    report = runner.invoke(app, ["report", "--home", str(home), "--out", str(tmp_path / "r.html")], env=WIDE)
    assert report.exit_code == 0, report.output
    assert "<script>alert(1)</script>" not in (tmp_path / "r.html").read_text("utf-8")


def test_five_class_breaks_on_one_side_of_zero_get_six_colours() -> None:
    """One Kreis lost, the others gained: zero and four quantiles above it make six classes."""
    rows = read_edition(sample_path(BKG).read_bytes(), "bkg").boundaries.to_pylist()
    shapes = shapes_from_rows(rows)
    kreise = [s for s in shapes if s.level == "kreis"]
    figures = [
        Figure(s.region_code, s.name, s.state, -1.0 if i == 0 else float(i), 1.0, 1.0) for i, s in enumerate(kreise)
    ]
    chart = choropleth("Change", "percent", dt.date(2024, 12, 31), dt.date(2024, 12, 31), 2025, figures, shapes)
    assert len(chart.breaks) == 5 and 0.0 in chart.breaks
    svg = ET.fromstring(render_svg(chart, shapes))
    ns = {"s": "http://www.w3.org/2000/svg"}
    legend = [rect.get("fill") for rect in svg.findall("s:rect[@class='legend']", ns)]
    fills = {path.get("fill") for path in svg.findall("s:path[@class='kreis']", ns)}
    assert len(legend) == 7 and fills <= set(legend)  # six classes and "no figure"


def test_a_map_that_cannot_be_written_says_where_and_why(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest([str(sample_path(AGES_2020))], home=str(home))
    assert geodata(home, "--file", str(sample_path(BKG))).exit_code == 0
    blocked = home / "warehouse.duckdb" / "map"  # a file where a folder would have to be
    result = runner.invoke(app, ["map", "share_65_plus", "--home", str(home), "--out", str(blocked)], env=WIDE)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"No map: cannot write {blocked}.svg: " in result.output


# --- the user catalog ---------------------------------------------------------------------------

ENTRY = """[[dataset]]
name = "population_mine"
topic = "population"
source = "regio"
table = "12411-02-03-4"
title = "Population by nationality"
measures = { "BEVSTD" = "population" }
first_year = 1995
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[dataset]\nname = ", "not valid TOML: "),
        ('dataset = "x"\n', "`dataset` must be tables ([[dataset]] entries), not str"),
        (ENTRY + 'projection = "no"\n', "dataset population_mine: projection must be true or false"),
        (ENTRY + "census_measures = [1]\n", "dataset population_mine: census_measures must be lists of texts"),
        (ENTRY.replace('title = "Population by nationality"', "title = 7"), "title must be texts"),
    ],
    ids=["not TOML", "dataset not a table", "projection a text", "census_measures numbers", "title a number"],
)
def test_a_user_catalog_named_by_the_environment_that_is_wrong_is_a_usage_error(
    text: str, message: str, tmp_path: Path
) -> None:
    """The catalog named by DEMOGRAFIE_CATALOG is read when the package is imported: a fresh process."""
    user = tmp_path / "catalog.toml"
    user.write_text(text, "utf-8")
    env = {**os.environ, "DEMOGRAFIE_CATALOG": str(user), "COLUMNS": "300"}
    command = "from demografie.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", command, "sources", "--home", str(tmp_path / "home")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"Error: {user}: " in done.stderr and message in done.stderr


# --- table CSVs ---------------------------------------------------------------------------------

DAYCARE = "regio_tabellencsv_22543-01-02-4_stand2017-10-10_utf8_EXCERPT.csv"  # its classes in the rows
WIESBADEN = "01.03.2016;06414;      Wiesbaden, Landeshauptstadt, Kreisfreie Stadt;"


def edited_daycare(tmp_path: Path, old: str, new: str) -> Path:
    text = sample_path(DAYCARE).read_text("utf-8")
    assert old in text
    target = tmp_path / "22543-01-02-4_edited.csv"
    target.write_text(text.replace(old, new, 1), "utf-8")
    return target


def line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1) if line.startswith(start))


def refused(edited: Path, home: Path) -> str:
    """`ingest` of a file that must be refused: its output, once nothing is in the lake."""
    result = runner.invoke(app, ["ingest", str(edited), "--home", str(home)], env=WIDE)
    assert result.exit_code == 1
    assert committed_entries(Paths.from_env(str(home)).lake) == []
    return result.output


def test_an_empty_row_label_is_refused_naming_the_line(tmp_path: Path) -> None:
    """Read as it stood, the row would be the total over the classes: a wrong figure."""
    edited = edited_daycare(tmp_path, f"{WIESBADEN}Tagespflege;", f"{WIESBADEN};")
    empty = line_of(edited, f"{WIESBADEN};")
    expected = f"line {empty}: the row label in column 4 is empty, while line 10 gives 'Tageseinrichtung' there"
    assert expected in refused(edited, tmp_path / "home")


def test_a_repeated_row_label_is_refused_naming_both_lines(tmp_path: Path) -> None:
    edited = edited_daycare(tmp_path, f"{WIESBADEN}Insgesamt (ohne Doppelzählungen);", f"{WIESBADEN}Tagespflege;")
    first = line_of(edited, f"{WIESBADEN}Tagespflege;")
    expected = (
        f"lines {first} and {first + 1} give the same figure ('Betreute Kinder' of 06414 on 01.03.2016, "
        "'Tagespflege'): a row label repeated"
    )
    assert expected in refused(edited, tmp_path / "home")


# --- builds that are stopped, killed or short of memory -----------------------------------------

VERSIONS = 800_000  # rows per synthetic delivery; three deliveries give 2.4 M versions


@dataclass(frozen=True)
class VersionedLake:
    home: Path
    rows: int  # the rows of each delivery, as the generator wrote them: the observations


@pytest.fixture(scope="module")
def versioned_lake(tmp_path_factory: pytest.TempPathFactory) -> VersionedLake:
    """A lake of three synthetic deliveries of 12411-04-02-4 (labelled synthetic), every figure
    revised twice: 2.4 M versions of 0.8 M observations; built once per run, copied by each test."""

    def write(root: Path) -> None:
        lake = Paths.from_env(root / "home").lake
        dataset = catalog.find("12411-04-02-4")
        written = set()
        for seed, month in ((7, 1), (8, 2), (9, 3)):
            source = root / f"large{seed}.csv"
            written.add(write_large_flat_file(source, VERSIONS, seed=seed))
            vintage = dt.datetime(2026, month, 1)
            provenance = Provenance(dataset.name, "regio", dataset.table, vintage, vintage, "t", synthetic=True)
            load_delivery(lake, Delivery(dataset, [opener(source)], provenance, ["06", "14"]), raw_file=f"raw/{seed}")
            source.unlink()
        (rows,) = written  # the same identities in each delivery, other figures
        (root / "rows").write_text(str(rows), "utf-8")

    root = built_once(tmp_path_factory, "versioned-lake", write)
    return VersionedLake(root / "home", int((root / "rows").read_text("utf-8")))


def opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def home_with(lake: VersionedLake, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(lake.home, home)
    return home


@pytest.mark.integration
def test_the_smallest_allowed_build_memory_builds(versioned_lake: VersionedLake, tmp_path: Path) -> None:
    """DEMOGRAFIE_BUILD_MEMORY_MB=128 (the minimum) ran out of memory with two threads; the build
    takes as many threads as the memory feeds."""
    home = home_with(versioned_lake, tmp_path)
    env = {**WIDE, "DEMOGRAFIE_BUILD_MEMORY_MB": "128"}
    result = runner.invoke(app, ["build", "--home", str(home)], env=env)
    assert result.exit_code == 0, result.output
    assert f"built {home / 'warehouse.duckdb'}: {versioned_lake.rows} current observations" in result.output


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.glob(".warehouse.duckdb.*"))


def start_build(home: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "demografie.cli", "build", "--full", "--home", str(home)]
    env = {**os.environ, "COLUMNS": "300", "DEMOGRAFIE_BUILD_MEMORY_MB": "256"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def when_building(home: Path, build: subprocess.Popen[str]) -> None:
    """Wait until the build has its staging file and has run a few seconds of queries."""
    deadline = time.monotonic() + 60
    while not leftovers(home) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(home), "the build never started"
    time.sleep(3)
    assert build.poll() is None, "the build ended before it could be stopped"


@pytest.mark.integration
def test_a_killed_build_leaves_nothing_for_ever_and_sigterm_stops_one(
    versioned_lake: VersionedLake, tmp_path: Path
) -> None:
    home = home_with(versioned_lake, tmp_path)
    assert runner.invoke(app, ["build", "--home", str(home)], env=WIDE).exit_code == 0
    live = (home / "warehouse.duckdb").read_bytes()

    killed = start_build(home)
    when_building(home, killed)
    killed.kill()
    killed.wait(30)
    assert leftovers(home), "a killed build leaves its staging file (no finally runs)"

    stopped = start_build(home)
    when_building(home, stopped)
    stopped.send_signal(signal.SIGTERM)
    output, _ = stopped.communicate(timeout=60)
    assert stopped.returncode == 130, output
    assert "Stopped. The lake holds only whole deliveries; the previous warehouse stays live." in output
    assert "interrupted" not in output.lower() and "Traceback" not in output
    assert leftovers(home) == []  # the killed build's files went at the start of the next one
    assert (home / "warehouse.duckdb").read_bytes() == live


def test_cleanup_removes_our_temporaries_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest([str(sample_path(TABLE_CSV))], home=str(home))
    ours = [
        home / "raw" / "regio" / f".{'a' * 32}.tmp",
        home / "lake" / "incoming" / f".{'b' * 32}.parquet.tmp",
        home / f".runs.jsonl.{'c' * 32}.tmp",
        home / f".warehouse.duckdb.{'d' * 32}.building",
        home / f".warehouse.duckdb.{'d' * 32}.building.wal",
        home / f".warehouse.duckdb.{'d' * 32}.building.spill" / "duckdb_temp_block-1.block",
    ]
    others = [
        home / "notes" / ".draft.tmp",  # an editor's
        home / "analysis" / f".{'e' * 32}.tmp",  # a name like ours, in a folder we never write
        home / "raw" / ".session.tmp",
        home / ".warehouse.duckdb.backup.building",
        home / "venv" / "lib" / ".cache.building",
    ]
    for path in ours + others:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", "utf-8")
    ingest([str(sample_path(UNEMPLOYED))], home=str(home))  # a run: it holds the home, then cleans
    assert [p for p in ours if p.exists()] == []
    assert not (home / f".warehouse.duckdb.{'d' * 32}.building.spill").exists()
    assert [p for p in others if not p.exists()] == []


# --- the lake -------------------------------------------------------------------------------------


def test_a_build_from_an_empty_lake_keeps_the_full_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = two_deliveries(tmp_path)
    live = paths.warehouse.read_bytes()
    unmounted = tmp_path / "share"  # the shared path, its share not mounted: an empty folder
    unmounted.mkdir()
    monkeypatch.setenv("DEMOGRAFIE_STORAGE", str(unmounted))
    refused = runner.invoke(app, ["build", "--home", str(paths.home)], env=WIDE)
    assert refused.exit_code == 1
    assert (
        f"the lake at {unmounted}/lake holds none of the 2 table(s) of the live warehouse "
        "(regio 12411-01-01-4, regio 13211-02-05-4); is DEMOGRAFIE_STORAGE" in " ".join(refused.output.split())
    )
    assert paths.warehouse.read_bytes() == live

    with pytest.raises(Exception, match="holds none of the 2 table"):  # a run (its build), too
        ingest([], home=str(paths.home))
    assert paths.warehouse.read_bytes() == live

    emptied = runner.invoke(app, ["build", "--allow-empty", "--home", str(paths.home)], env=WIDE)
    assert emptied.exit_code == 0, emptied.output
    assert query(paths.home, "SELECT count(*) FROM core.observations") == [(0,)]


def test_bit_rot_in_a_lake_file_is_named_not_read_as_figures(tmp_path: Path) -> None:
    paths = two_deliveries(tmp_path)
    live = paths.warehouse.read_bytes()
    entry = next(e for e in committed_entries(paths.lake) if e.source_table == "12411-01-01-4")
    parquet = paths.home / "lake" / entry.lake_file
    data, stat = bytearray(parquet.read_bytes()), parquet.stat()
    middle = len(data) // 3  # a data page: the footer at the end stays whole
    data[middle : middle + 4] = bytes(b ^ 0xFF for b in data[middle : middle + 4])
    parquet.write_bytes(bytes(data))
    os.utime(parquet, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time

    built = runner.invoke(app, ["build", "--full", "--home", str(paths.home)], env=WIDE)
    assert built.exit_code == 1
    said = " ".join(built.output.split())
    assert f"lake/{entry.lake_file} (table 12411-01-01-4, delivery of {entry.raw_file}) has other bytes" in said
    assert paths.warehouse.read_bytes() == live

    verified = runner.invoke(app, ["verify", "--home", str(paths.home)], env=WIDE)
    assert verified.exit_code == 1
    said = " ".join(verified.output.split())
    assert f"damaged: lake/{entry.lake_file} (table 12411-01-01-4" in said
    assert "2 lake file(s) of " in said and "checked: 1 damaged" in said


def population_run(home: Path) -> RunSummary:
    return nightly(datasets=["population"], as_of=dt.date(2024, 12, 31), home=str(home))


def test_a_dropped_delivery_stays_dropped_until_loaded_on_purpose(
    publisher: GenesisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    population_run(home)
    (entry,) = committed_entries(Paths.from_env(str(home)).lake)
    dropped = runner.invoke(app, ["deliveries", "drop", entry.content_sha256[:12], "--home", str(home)], env=WIDE)
    assert dropped.exit_code == 0, dropped.output

    again = population_run(home)  # the same vintage at the publisher: "nothing newer"
    assert [t.outcome for t in again.tables] == ["unchanged"]
    monkeypatch.setenv("DEMOGRAFIE_RECHECK_DAYS", "0")  # asked whole, the same answer comes back
    rechecked = population_run(home)
    (table,) = rechecked.tables
    assert table.outcome == "unchanged"
    assert "a delivery dropped with `demografie deliveries drop`: not loaded again" in table.message
    assert committed_entries(Paths.from_env(str(home)).lake) == []
    assert query(home, "SELECT count(*) FROM core.observations") == [(0,)]

    raw = home / entry.raw_file.split(", ")[0]
    loaded = runner.invoke(app, ["ingest", str(raw), "--table", "12411-01-01-4", "--home", str(home)], env=WIDE)
    assert loaded.exit_code == 0, loaded.output
    (back,) = committed_entries(Paths.from_env(str(home)).lake)
    assert back.content_sha256 == entry.content_sha256
    assert not list((home / "lake" / "dropped").rglob("*.json"))  # loaded on purpose: no longer dropped


def test_a_damaged_manifest_index_never_decides_what_a_drop_deletes(tmp_path: Path) -> None:
    paths = two_deliveries(tmp_path)
    entries = {e.source_table: e for e in committed_entries(paths.lake)}
    population, unemployed = entries["12411-01-01-4"], entries["13211-02-05-4"]
    index_file = paths.home / "lake" / "manifest-index.json"
    index = json.loads(index_file.read_text("utf-8"))
    for record in index.values():  # the keys and stamps still match the listing
        if record["entry"]["source_table"] == "13211-02-05-4":
            record["entry"]["lake_file"] = population.lake_file
    index_file.write_text(json.dumps(index), "utf-8")

    result = runner.invoke(app, ["deliveries", "drop", unemployed.content_sha256[:12], "--home", str(paths.home)])
    assert result.exit_code == 0, result.output
    assert (paths.home / "lake" / population.lake_file).exists()
    assert not (paths.home / "lake" / unemployed.lake_file).exists()
    assert [e.source_table for e in committed_entries(paths.lake)] == ["12411-01-01-4"]
    assert query(paths.home, "SELECT DISTINCT source_table FROM core.observations") == [("12411-01-01-4",)]


# the stock mapped to deaths: a wrong override of the shipped `population`
WRONG_OVERRIDE = (
    ENTRY.replace('"population_mine"', '"population"')
    .replace("12411-02-03-4", "12411-01-01-4")
    .replace('"BEVSTD" = "population"', '"BEVSTD" = "deaths"')
)


def test_a_corrected_user_catalog_reaches_the_deliveries_already_held(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    user = home / "catalog.toml"
    user.write_text(WRONG_OVERRIDE, "utf-8")
    loaded = runner.invoke(app, ["ingest", str(sample_path(TABLE_CSV)), "--home", str(home)], env=WIDE)
    assert loaded.exit_code == 0, loaded.output
    wrong = "SELECT DISTINCT measure FROM core.current_observations WHERE source_table = '12411-01-01-4'"
    assert query(home, wrong) == [("deaths",)]

    user.unlink()  # the override corrected: the shipped entry again
    built = runner.invoke(app, ["build", "--home", str(home)], env=WIDE)
    assert built.exit_code == 0, built.output
    said = " ".join(built.output.split())
    assert "note: population: its catalog entry changed; 1 delivery(ies) normalised again from raw/" in said
    assert query(home, wrong) == [("population",)]
    frankfurt = query(
        home,
        "SELECT value FROM core.current_observations WHERE region_code = '06412' AND sex = 'total' "
        "AND measure = 'population'",
    )
    published = next(line for line in sample_path(TABLE_CSV).read_bytes().split(b"\n") if line.startswith(b"06412;"))
    assert frankfurt == [(float(published.split(b";")[2]),)]
    (entry,) = committed_entries(Paths.from_env(str(home)).lake)
    assert [p.name for p in (home / "lake" / "observations").rglob("*.parquet")] == [Path(entry.lake_file).name]

    again = runner.invoke(app, ["build", "--home", str(home)], env=WIDE)
    assert again.exit_code == 0 and "normalised again" not in again.output


def test_a_table_csv_answer_for_another_table_is_refused_on_the_api_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publisher, cache or mirror that answers with another table's table CSV: not loaded as the
    table asked for."""
    root = tmp_path / "publisher"
    (root / "tablecsv").mkdir(parents=True)
    (root / "metadata").mkdir()
    workplace = "regio_tabellencsv_13111-11-04-4_stand2017-10-10_utf8.csv"  # at the workplace
    (root / "tablecsv" / "13111-12-03-4.csv").write_bytes(sample_path(workplace).read_bytes())
    (root / "metadata" / "13111-12-03-4.json").write_text(
        metadata_answer("13111-12-03-4", "Beschäftigte am Wohnort nach Berufsabschluss", "10.10.2017 15:54:34h")
    )
    with GenesisServer(root, "demo", "demo") as server:
        point_at(server, "GENESIS_REGIO", "demo", "demo", monkeypatch)
        with pytest.raises(RunFailedError) as failed:
            nightly(datasets=["employees_qualification_residence"], from_year=2012, to_year=2015, home=str(tmp_path))
    (table,) = failed.value.summary.tables
    assert table.outcome == "failed"
    assert "the file names itself table 13111-11-04-4, not 13111-12-03-4" in table.message
    assert committed_entries(Paths.from_env(str(tmp_path)).lake) == []

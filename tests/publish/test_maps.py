"""Maps: BKG's boundaries read from the recorded VG1000 package, kept by `demografie geodata`, and
drawn as choropleths of both states in the report and by `demografie map`."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
from PIL import Image
from typer.testing import CliRunner

from demografie.cli import app
from demografie.laender import LAENDER
from demografie.publish.maps import NEGATIVE, POSITIVE, SEQUENTIAL, Figure, Shape, place, shapes_from_rows
from demografie.reference import regions_on
from demografie.transforms.boundaries import read_edition
from tests.publish.test_publish import CHROMIUM_FLAGS, chromium
from tests.support import sample_path

BKG = "bkg_vg1000_2024-12-31.zip"
AREAS = "regio_tabellencsv_11111-01-01-4_flaeche_qkm_2018-12-31.csv"
runner = CliRunner()


@functools.cache
def edition_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read_edition(sample_path(BKG).read_bytes(), "bkg").boundaries.to_pylist()
    return rows


def test_the_recorded_vg1000_holds_every_kreis_of_every_land() -> None:
    kreise = [r for r in edition_rows() if r["region_level"] == "kreis"]
    assert len(kreise) == len({r["region_code"] for r in kreise}) == 400  # Germany's Kreise on 31.12.2024
    # BKG's Kreise of its Gebietsstand are those reference/regions.csv says existed that day
    assert {r["region_code"] for r in kreise} == {r.code for r in regions_on(date(2024, 12, 31), "kreis")}
    # one row per Land, though Schleswig-Holstein and Niedersachsen come in two land parts
    assert sorted(r["region_code"] for r in edition_rows() if r["region_level"] == "land") == sorted(LAENDER)
    for row in edition_rows():  # WGS84, within Germany
        coordinates = json.dumps(json.loads(str(row["geometry"]))["coordinates"])
        numbers = [float(n) for n in coordinates.replace("[", " ").replace("]", " ").replace(",", " ").split()]
        lons, lats = numbers[0::2], numbers[1::2]
        assert min(lons) > 5.8 and max(lons) < 15.1 and min(lats) > 47.2 and max(lats) < 55.1, row["name"]


def published_areas() -> dict[str, float]:
    """Gebietsfläche in km² per Kreis from the recorded table CSV of 11111-01-01-4, read here by hand."""
    areas = {}
    for line in sample_path(AREAS).read_bytes().decode("latin-1").splitlines():
        cells = line.split(";")
        if len(cells) == 4 and len(cells[1]) == 5 and cells[1][:2] in ("06", "14") and cells[3] not in ("-", ""):
            areas[cells[1]] = float(cells[3].replace(",", "."))
    return areas


def test_the_areas_are_the_published_gebietsflaeche() -> None:
    published = published_areas()
    ours = {str(r["region_code"]): float(str(r["area_km2"])) for r in edition_rows() if r["region_level"] == "kreis"}
    # VG1000 is generalised to 1:1,000,000: small cities lose their fine outline (Kassel -3.4 %), so the
    # Kreise of 400 km² and more are compared
    compared = {code: ours[code] / area - 1 for code, area in published.items() if code in ours and area >= 400}
    assert len(compared) == 29  # 20 Hessian and 9 Saxon Kreise
    assert {code: round(100 * off, 2) for code, off in compared.items() if abs(off) >= 0.01} == {}


@pytest.fixture(scope="module")
def mapped_home(all_samples_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The all-samples home with the recorded VG1000 loaded by `demografie geodata --file`."""
    home = tmp_path_factory.mktemp("mapped") / "home"
    shutil.copytree(all_samples_home, home)
    result = runner.invoke(app, ["geodata", "--file", str(sample_path(BKG)), "--home", str(home)])
    assert result.exit_code == 0, result.output
    return home


def test_geodata_keeps_the_package_and_the_warehouse_has_the_shapes(mapped_home: Path) -> None:
    (raw,) = (mapped_home / "raw" / "bkg" / "VG1000").glob("*.zip")
    assert raw.read_bytes() == sample_path(BKG).read_bytes()  # byte-exact
    sidecar = json.loads(raw.with_suffix(".json").read_text("utf-8"))
    assert (sidecar["url"], sidecar["gebietsstand"], sidecar["product"]) == (BKG, "2024-12-31", "VG1000")
    assert sidecar["sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    with duckdb.connect(str(mapped_home / "warehouse.duckdb"), read_only=True) as con:
        counts = con.execute(
            "SELECT state, region_level, count(*) FROM geo.boundaries WHERE state IN ('06', '14') "
            "GROUP BY ALL ORDER BY 1, 2"
        )
        assert counts.fetchall() == [("06", "kreis", 26), ("06", "land", 1), ("14", "kreis", 13), ("14", "land", 1)]
        every = con.execute("SELECT region_level, count(*) FROM geo.boundaries GROUP BY ALL ORDER BY 1").fetchall()
        assert every == [("kreis", 400), ("land", 16)]
        edition = con.execute("SELECT product, gebietsstand, attribution FROM geo.edition").fetchall()
    ((product, stand, attribution),) = edition
    assert (product, stand) == ("VG1000", date(2024, 12, 31))
    assert str(attribution).startswith("© BKG (") and str(attribution).endswith(") dl-de/by-2-0")

    again = runner.invoke(app, ["geodata", "--file", str(sample_path(BKG)), "--home", str(mapped_home)])
    assert again.exit_code == 0 and "already held" in again.output
    assert len(list((mapped_home / "raw" / "bkg" / "VG1000").glob("*.zip"))) == 1


def test_a_saved_folder_gives_the_same_boundaries(mapped_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "vg1000"
    with zipfile.ZipFile(sample_path(BKG)) as package:
        package.extractall(folder)
    home = tmp_path / "home"
    result = runner.invoke(app, ["geodata", "--file", str(folder), "--home", str(home)])
    assert result.exit_code == 0, result.output
    query = "SELECT region_code, name, area_km2, geometry FROM geo.boundaries ORDER BY region_code"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        from_folder = con.execute(query).fetchall()
    with duckdb.connect(str(mapped_home / "warehouse.duckdb"), read_only=True) as con:
        assert from_folder == con.execute(query).fetchall()


class _Files(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def bkg_server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server laid out like BKG's download server, holding the recorded package."""
    folder = tmp_path / "www" / "produkte" / "vg" / "vg1000_ebenen_1231" / "aktuell"
    folder.mkdir(parents=True)
    shutil.copyfile(sample_path(BKG), folder / "vg1000_12-31.utm32s.shape.ebenen.zip")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Files, directory=str(tmp_path / "www")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/produkte/vg/"
    finally:
        server.shutdown()
        server.server_close()


def test_geodata_downloads_over_http_and_a_404_says_what_to_set(
    bkg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    missing = runner.invoke(
        app, ["geodata", "--url", f"{bkg_server}vg1000/aktuell/x.zip", "--home", str(home)], env={"COLUMNS": "400"}
    )
    assert missing.exit_code == 1
    assert "HTTP 404. The archive names of BKG's download server are not verified for every product" in missing.output
    assert "set DEMOGRAFIE_BKG_URL to it, or save the archive and pass it with --file" in missing.output
    assert not (home / "raw" / "bkg").exists() and not (home / "lake" / "geodata").exists()

    url = f"{bkg_server}vg1000_ebenen_1231/aktuell/vg1000_12-31.utm32s.shape.ebenen.zip"
    monkeypatch.setenv("DEMOGRAFIE_BKG_URL", url)
    fetched = runner.invoke(app, ["geodata", "--home", str(home)])
    assert fetched.exit_code == 0, fetched.output
    (sidecar,) = (home / "raw" / "bkg" / "VG1000").glob("*.json")
    assert json.loads(sidecar.read_text("utf-8"))["url"] == url


def test_a_package_without_its_layers_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    broken = tmp_path / "vg1000.zip"
    with zipfile.ZipFile(sample_path(BKG)) as package, zipfile.ZipFile(broken, "w") as copy:
        for info in package.infolist():
            if "_KRS." not in info.filename:
                copy.writestr(info, package.read(info))
    home = tmp_path / "home"
    result = runner.invoke(app, ["geodata", "--file", str(broken), "--home", str(home)], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "Error: bkg: vg1000.zip: layer VG1000_KRS lacks its .shp file" in result.output
    assert not (home / "raw" / "bkg").exists() and not (home / "lake" / "geodata").exists()


def shapes() -> list[Shape]:
    return shapes_from_rows(edition_rows())


def test_a_kreis_newer_than_the_edition_is_drawn_inside_the_kreis_that_contained_it() -> None:
    """Hanau (06415) is kreisfrei from 1 January 2026 but inside the Main-Kinzig-Kreis (06435) in the
    edition of 31.12.2024: a map of a 2026 date adds its numerator and denominator to the Kreis'."""
    figures = [
        Figure("06435", "Main-Kinzig-Kreis", "06", 30_000, 300_000, 100),
        Figure("06415", "Hanau", "06", 12_000, 100_000, 100),
        Figure("06411", "Darmstadt", "06", 20_000, 160_000, 100),
    ]
    values, notes = place(figures, shapes(), date(2026, 12, 31), date(2024, 12, 31))
    assert values["06435"] == pytest.approx(100 * 42_000 / 400_000)
    assert values["06411"] == pytest.approx(12.5) and "06415" not in values
    assert notes == [
        "Hanau (kreisfrei since 1 January 2026): on 31.12.2026 its figures are added to those of Main-Kinzig-Kreis "
        "(06435), which contains it in the BKG edition of 31.12.2024."
    ]


def test_kreise_merged_whole_are_drawn_inside_the_kreis_they_joined() -> None:
    """Göttingen and Osterode am Harz formed the new Landkreis Göttingen on 1 November 2016: a map of
    2015 on the 2024 boundaries draws their sum there, as it draws Eisenach's 2020 in the Wartburgkreis."""
    figures = [
        Figure("03152", "Göttingen, Landkreis", "03", 60_000, 320_000, 100),
        Figure("03156", "Osterode am Harz, Landkreis", "03", 20_000, 75_000, 100),
    ]
    values, notes = place(figures, shapes(), date(2015, 12, 31), date(2024, 12, 31))
    assert values == {"03159": pytest.approx(100 * 80_000 / 395_000)}
    assert notes[1] == (
        "Osterode am Harz (part of the Landkreis Göttingen since 1 November 2016): on 31.12.2015 its figures are "
        "added to those of Göttingen, Landkreis (03159), which contains it in the BKG edition of 31.12.2024."
    )


def test_saxon_kreise_before_the_2008_reform_are_not_drawn_and_the_map_says_so() -> None:
    figures = [
        Figure("14161", "Chemnitz, kreisfreie Stadt", "14", 50_000, 250_000, 100),
        Figure("14166", "Plauen, kreisfreie Stadt", "14", 15_000, 70_000, 100),
        Figure("06411", "Darmstadt", "06", 20_000, 160_000, 100),
    ]
    values, notes = place(figures, shapes(), date(2005, 12, 31), date(2024, 12, 31))
    assert set(values) == {"06411"}
    assert notes == [
        "Sachsen: 2 Kreise of 31.12.2005 (Chemnitz, kreisfreie Stadt, Plauen, kreisfreie Stadt) are in no region of "
        "the BKG edition of 31.12.2024 (their territory has changed since): not drawn."
    ]


def test_map_writes_html_and_svg_with_every_kreis_and_the_attribution(mapped_home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["map", "share_65_plus", "--home", str(mapped_home), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    svg = ET.parse(tmp_path / "m.svg").getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    kreise = svg.findall("s:path[@class='kreis']", ns)
    assert len(kreise) == 39
    titles = [path.findtext("s:title", namespaces=ns) or "" for path in kreise]
    assert any(t.startswith("Frankfurt am Main (06412): ") and t.endswith(" percent") for t in titles)
    legend = {rect.get("fill") for rect in svg.findall("s:rect[@class='legend']", ns)}
    assert {path.get("fill") for path in kreise} <= legend  # every colour is explained
    text = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "© BKG (" in text and "dl-de/by-2-0" in text and "Gebietsstand 31.12.2024" in text
    page = (tmp_path / "m.html").read_text("utf-8")
    assert '<a href="https://www.bkg.bund.de">BKG</a>' in page
    assert '<a href="https://www.govdata.de/dl-de/by-2-0">dl-de/by-2-0</a>' in page

    unknown = runner.invoke(app, ["map", "happiness", "--home", str(mapped_home), "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 1 and "No map: no figures of happiness in this warehouse" in unknown.output


def coloured_columns(png: Path) -> Counter[int]:
    """How many pixels of each column of the screenshot have a colour of the maps' palettes."""
    palette = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (*SEQUENTIAL, *NEGATIVE, *POSITIVE)}
    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    return Counter(x for x in range(width) for y in range(height) if pixels[x, y] in palette)


def test_the_report_draws_both_states_maps_offline(mapped_home: Path, tmp_path: Path) -> None:
    browser = chromium()
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--home", str(mapped_home), "--out", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text("utf-8")
    # of the three maps of the themes, this home has figures for the replacement ratio only
    assert page.count('<figure class="map">') == 6 and "<script src=" not in page
    screenshot = tmp_path / "report.png"  # the whole page: the maps follow the charts
    offline = ("--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            *offline,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,9000",
            "--virtual-time-budget=20000",
            "--hide-scrollbars",
            f"--screenshot={screenshot}",
            target.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    columns = coloured_columns(screenshot)
    drawn = sorted(x for x, count in columns.items() if count >= 3)
    assert drawn, "no map colour on the screenshot"
    gaps = [(a, b) for a, b in itertools.pairwise(drawn) if b - a > 15]
    assert len(gaps) >= 1, "the two states are not drawn apart"
    split = gaps[0][1]
    hessen = sum(n for x, n in columns.items() if x < split)
    sachsen = sum(n for x, n in columns.items() if x >= split)
    assert hessen > 100_000 and sachsen > 100_000, (hessen, sachsen)  # five maps of each, about 50,000 pixels


def test_a_boundary_package_given_to_ingest_is_sent_to_geodata(prefect_harness: None, tmp_path: Path) -> None:
    from demografie.flows.ingest import ingest
    from demografie.usecases.ingest import IngestError

    with pytest.raises(IngestError) as refused:
        ingest([str(sample_path(BKG))], home=str(tmp_path / "home"))
    assert str(refused.value) == (
        f"{BKG}: a BKG boundary package, not a table; load it with `demografie geodata --file`"
    )

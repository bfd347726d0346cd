"""The BKG Verwaltungsgebiete ("ebenen" packages of VG250, VG1000, VG2500, VG5000): the Kreise and
Länder of our states, for maps.

A package is a zip (or the folder it unpacks to) with one shapefile per layer, `<PRODUCT>_KRS` (Kreise)
and `<PRODUCT>_LAN` (Länder), in EPSG:25832 (ETRS89 / UTM 32N), and `aktualitaet.txt` with the
Gebietsstand (`31.12.2024`). Attributes (BKG's product documentation, §4): AGS (the official key),
GEN (name), BEZ (designation: Kreisfreie Stadt, Landkreis, Land, Freistaat), GF (3/4 land, 1/2
water: only land parts are maps' regions).

Read with pyshp, reprojected to WGS84 with pyproj, simplified with shapely's coverage
simplification (neighbours keep their shared edges: no gaps or slivers), all well-kept libraries;
no geometry is computed by hand here. Areas are taken from the unsimplified geometry in its own
equal-distance-ish projection (UTM, scale error under 0.2 % in our states).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import shapefile
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from demografie.transforms.errors import ParseError

LAYERS = {"kreis": "KRS", "land": "LAN"}
LAYER_FILE = re.compile(r"^(VG\d+)_(KRS|LAN)\.shp$", re.IGNORECASE)
GEBIETSSTAND = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
LAND_PARTS = (3, 4)  # GF: areas of land (4 with structure, 3 without); 1 and 2 are water
SIMPLIFY_METRES = 200.0  # display tolerance: below a pixel on a map of a Land at report size
COORDINATE_DECIMALS = 5  # about 1 m in WGS84, far below the tolerance
SOURCE_CRS = "EPSG:25832"
# BKG's terms of use: on every public use, with "BKG" linking to BKG_URL and the licence to LICENCE_URL
ATTRIBUTION = "© BKG ({year}) dl-de/by-2-0"
SOURCES_URL = "https://sgx.geodatenzentrum.de/web_public/gdz/datenquellen/datenquellen_vg_nuts.pdf"
BKG_URL = "https://www.bkg.bund.de"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"

BOUNDARY_SCHEMA = pa.schema(
    [
        ("region_code", pa.string()),
        ("region_level", pa.string()),
        ("state", pa.string()),
        ("name", pa.string()),
        ("designation", pa.string()),
        ("area_km2", pa.float64()),
        ("geometry", pa.string()),
        ("product", pa.string()),
        ("gebietsstand", pa.date32()),
        ("simplified_m", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Edition:
    product: str  # VG1000, VG250 ...
    gebietsstand: date
    boundaries: pa.Table  # BOUNDARY_SCHEMA


def read_edition(archive: bytes, where: str, states: tuple[str, ...] = ("06", "14")) -> Edition:
    """The Kreise and Länder of `states` from a BKG package (a zip's bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as package:
            members = {PurePosixPath(name).name: name for name in package.namelist()}
            product = _product(members, where)
            stand = _gebietsstand(package, members, where)
            tables = [
                _layer(package, members, product, layer, level, states, stand, where) for level, layer in LAYERS.items()
            ]
    except zipfile.BadZipFile as exc:
        raise ParseError(where, f"not a readable zip ({exc}); pass the archive BKG delivers, or its folder") from None
    return Edition(product, stand, pa.concat_tables(tables))


def _product(members: dict[str, str], where: str) -> str:
    found = {m.group(1).upper() for name in members if (m := LAYER_FILE.match(name))}
    if len(found) != 1:
        names = ", ".join(sorted(members)[:8]) or "nothing"
        raise ParseError(
            where, f"not a BKG Verwaltungsgebiete package (expected the layers VG…_KRS and VG…_LAN; found {names})"
        )
    return found.pop()


def _gebietsstand(package: zipfile.ZipFile, members: dict[str, str], where: str) -> date:
    if "aktualitaet.txt" not in members:
        raise ParseError(where, "no aktualitaet.txt in the package: its Gebietsstand cannot be told")
    text = package.read(members["aktualitaet.txt"]).decode("utf-8", errors="replace")
    match = GEBIETSSTAND.search(text)
    if match is None:
        raise ParseError(where, f"aktualitaet.txt says {text.strip()[:40]!r}, not a date")
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


def _layer(
    package: zipfile.ZipFile,
    members: dict[str, str],
    product: str,
    layer: str,
    level: str,
    states: tuple[str, ...],
    stand: date,
    where: str,
) -> pa.Table:
    stem = f"{product}_{layer}"
    files = {}
    for suffix in ("shp", "shx", "dbf", "cpg"):
        name = next((n for n in members if n.upper() == f"{stem}.{suffix}".upper()), None)
        if name is None and suffix != "cpg":
            raise ParseError(where, f"layer {stem} lacks its .{suffix} file")
        files[suffix] = package.read(members[name]) if name else b""
    encoding = files.pop("cpg").decode("ascii", errors="replace").strip() or "UTF-8"
    reader = shapefile.Reader(
        shp=io.BytesIO(files["shp"]),
        shx=io.BytesIO(files["shx"]),
        dbf=io.BytesIO(files["dbf"]),
        encoding=encoding.lower().replace("utf-8", "utf_8"),
    )
    rows = [
        (record.as_dict(), shape(geometry.__geo_interface__))
        for record, geometry in zip(reader.records(), reader.shapes(), strict=True)
        if record["GF"] in LAND_PARTS and str(record["AGS"]).startswith(states)
    ]
    if not rows:
        raise ParseError(where, f"layer {stem} has no {level} of the states {', '.join(states)}")
    return _table(rows, level, product, stand)


def _table(rows: list[tuple[dict[str, Any], Any]], level: str, product: str, stand: date) -> pa.Table:
    geometries = [geometry for _, geometry in rows]
    simplified = shapely.coverage_simplify(np.array(geometries, dtype=object), SIMPLIFY_METRES)
    to_wgs84 = Transformer.from_crs(SOURCE_CRS, "EPSG:4326", always_xy=True)
    projected = shapely.transform(simplified, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    return pa.Table.from_pylist(
        [
            {
                "region_code": str(record["AGS"]),
                "region_level": level,
                "state": str(record["AGS"])[:2],
                "name": record["GEN"],
                "designation": record["BEZ"],
                "area_km2": round(geometry.area / 1e6, 3),
                "geometry": json.dumps(
                    shapely.geometry.mapping(shapely.set_precision(drawn, 10**-COORDINATE_DECIMALS))
                ),
                "product": product,
                "gebietsstand": stand,
                "simplified_m": SIMPLIFY_METRES,
            }
            for (record, geometry), drawn in zip(rows, projected, strict=True)
        ],
        schema=BOUNDARY_SCHEMA,
    )

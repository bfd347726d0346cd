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

import codecs
import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import shapefile
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from demografie.laender import LAENDER
from demografie.transforms.errors import ParseError

LAYERS = {"kreis": "KRS", "land": "LAN"}
LAYER_FILE = re.compile(r"^(VG\d+)_(KRS|LAN)\.shp$", re.IGNORECASE)
GEBIETSSTAND = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
LAND_PARTS = (3, 4)  # GF: areas of land (4 with structure, 3 without); 1 and 2 are water
SIMPLIFY_METRES = 200.0  # display tolerance: below a pixel on a map of a Land at report size
COORDINATE_DECIMALS = 5  # about 1 m in WGS84, far below the tolerance
SOURCE_CRS = "EPSG:25832"  # BKG's own; a package in another (its .prj says) is brought to it first
SOURCE_EPSG = 25832
# the most a member may unpack to unless the caller says otherwise (DEMOGRAFIE_MAX_UNPACKED_BYTES,
# whose default this is; VG250's Kreis layer, the largest, is tens of MB)
MAX_MEMBER_BYTES = 2 * 1024**3
# BKG publishes a Gebietsstand after the day it describes; one later than this is a broken or
# forged aktualitaet.txt, and would win every later map
LATEST_STAND = timedelta(days=31)
# BKG's terms of use: on every public use its attribution (publishers.toml), with "BKG" linking to
# BKG_URL, the licence to LICENCE_URL, and the list of its sources
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


def read_edition(
    archive: bytes, where: str, states: tuple[str, ...] = tuple(LAENDER), max_bytes: int = MAX_MEMBER_BYTES
) -> Edition:
    """The Kreise and Länder of `states` (every Land unless told: a home's maps draw the Länder it
    loads, DEMOGRAFIE_STATES, from the one edition it keeps) from a BKG package (a zip's bytes), no
    member unpacking to more than `max_bytes`."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            package = _Package(opened, where, max_bytes)
            product = _product(package.members, where)
            stand = _gebietsstand(package)
            tables = [_layer(package, product, layer, level, states, stand) for level, layer in LAYERS.items()]
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ParseError(where, f"not a readable zip ({exc}); pass the archive BKG delivers, or its folder") from None
    return Edition(product, stand, pa.concat_tables(tables))


class _Package:
    """A package's members by base name, read within the size limit."""

    def __init__(self, package: zipfile.ZipFile, where: str, max_bytes: int) -> None:
        self.package, self.where, self.max_bytes = package, where, max_bytes
        self.members = {PurePosixPath(name).name: name for name in package.namelist()}

    def named(self, name: str) -> str | None:
        """The member of that base name, in any case (BKG's names vary in case between products)."""
        return next((path for base, path in self.members.items() if base.upper() == name.upper()), None)

    def read(self, path: str) -> bytes:
        """One member, bounded by what it declares and by what it inflates to (a header may lie)."""
        info = self.package.getinfo(path)
        limit = f"more than DEMOGRAFIE_MAX_UNPACKED_BYTES ({self.max_bytes:,} bytes); not read"
        if info.file_size > self.max_bytes:
            raise ParseError(self.where, f"{path} declares {info.file_size:,} bytes, {limit}")
        with self.package.open(info) as member:
            data = member.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise ParseError(self.where, f"{path} inflates to {limit}")
        return data


def _product(members: dict[str, str], where: str) -> str:
    found = {m.group(1).upper() for name in members if (m := LAYER_FILE.match(name))}
    if len(found) != 1:
        names = ", ".join(sorted(members)[:8]) or "nothing"
        raise ParseError(
            where, f"not a BKG Verwaltungsgebiete package (expected the layers VG…_KRS and VG…_LAN; found {names})"
        )
    return found.pop()


def _gebietsstand(package: _Package) -> date:
    where = package.where
    if "aktualitaet.txt" not in package.members:
        raise ParseError(where, "no aktualitaet.txt in the package: its Gebietsstand cannot be told")
    text = package.read(package.members["aktualitaet.txt"]).decode("utf-8", errors="replace")
    match = GEBIETSSTAND.search(text)
    if match is None:
        raise ParseError(where, f"aktualitaet.txt says {text.strip()[:40]!r}, not a date")
    day, month, year = (int(part) for part in match.groups())
    try:
        stand = date(year, month, day)
    except ValueError:
        raise ParseError(where, f"aktualitaet.txt says {match.group(0)!r}, not a day") from None
    if stand > date.today() + LATEST_STAND:
        raise ParseError(
            where,
            f"aktualitaet.txt gives the Gebietsstand {stand:%d.%m.%Y}, which lies in the future: a broken package "
            "(kept, it would be the territory of every later map); nothing was kept",
        )
    return stand


def _layer(package: _Package, product: str, layer: str, level: str, states: tuple[str, ...], stand: date) -> pa.Table:
    stem, where = f"{product}_{layer}", package.where
    files = {}
    for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
        name = package.named(f"{stem}.{suffix}")
        if name is None and suffix != "cpg":
            raise ParseError(where, f"layer {stem} lacks its .{suffix} file")
        files[suffix] = package.read(name) if name else b""
    crs = _crs(files.pop("prj"), stem, where)
    encoding = _encoding(files.pop("cpg"), stem, where)
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(files["shp"]), shx=io.BytesIO(files["shx"]), dbf=io.BytesIO(files["dbf"]), encoding=encoding
        )
        rows = [
            (record.as_dict(), _geometry(record, geometry, stem, where))
            for record, geometry in zip(reader.records(), reader.shapes(), strict=True)
            if record["GF"] in LAND_PARTS and str(record["AGS"]).startswith(states)
        ]
    except (shapefile.ShapefileException, struct.error, UnicodeDecodeError, KeyError, ValueError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(where, f"layer {stem} cannot be read ({type(exc).__name__}: {exc})") from None
    if not rows:
        raise ParseError(where, f"layer {stem} has no {level} of the states {', '.join(states)}")
    if bad := [str(r["AGS"]) for r, _ in rows if not REGION_KEY[level].fullmatch(str(r["AGS"]))]:
        raise ParseError(where, f"layer {stem}: AGS {bad[0]!r} is not the key of a {level}")
    return _table(_one_per_region(_in_source_crs(rows, crs)), level, product, stand)


def _crs(prj: bytes, stem: str, where: str) -> CRS:
    """The coordinate system the layer's .prj states (ESRI WKT, as BKG writes it)."""
    try:
        return CRS.from_wkt(prj.decode("latin-1").strip())
    except CRSError as exc:
        raise ParseError(where, f"layer {stem}: its .prj names no coordinate system pyproj knows ({exc})") from None


def _encoding(cpg: bytes, stem: str, where: str) -> str:
    """The attribute encoding the .cpg names (UTF-8 when there is none)."""
    name = cpg.decode("ascii", errors="replace").strip() or "UTF-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ParseError(where, f"layer {stem}: its .cpg names the encoding {name[:40]!r}, which is unknown") from None


# a Land's key has two digits, a Kreis' five: anything else is no region of ours (and would reach
# paths, SQL and SVG as it stands)
REGION_KEY = {"kreis": re.compile(r"\d{5}"), "land": re.compile(r"\d{2}")}


def _geometry(record: Any, geometry: Any, stem: str, where: str) -> Any:
    if geometry.shapeType == shapefile.NULL or not geometry.points:
        raise ParseError(where, f"layer {stem}: {record['AGS']} {record['GEN']} has no geometry")
    return shape(geometry.__geo_interface__)


def _in_source_crs(rows: list[tuple[dict[str, Any], Any]], crs: CRS) -> list[tuple[dict[str, Any], Any]]:
    """Geometries in BKG's UTM 32N, where areas are measured and the simplification tolerance is in
    metres: a package in WGS84 (degrees) would otherwise have areas of 0 km²."""
    if crs.to_epsg(min_confidence=70) == SOURCE_EPSG:
        return rows
    to_utm = Transformer.from_crs(crs, SOURCE_CRS, always_xy=True)
    return [
        (record, shapely.transform(geometry, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1]))))
        for record, geometry in rows
    ]


def _one_per_region(rows: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    """One row per region key: a coastal Land comes in two land parts (GF 4 with structure, GF 3
    without, e.g. Schleswig-Holstein and Niedersachsen in VG1000), which are one region."""
    parts: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for record, geometry in rows:
        parts.setdefault(str(record["AGS"]), []).append((record, geometry))
    return [
        (found[0][0], found[0][1] if len(found) == 1 else shapely.union_all([g for _, g in found]))
        for found in parts.values()
    ]


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

"""Choropleth maps of Kreis indicators on BKG's boundaries: the Länder of the warehouse (meta.states)
side by side (up to three; more are drawn as one map), one set of class breaks for all, a legend, the
region's name and value on hover, and BKG's attribution.

Drawn as plain SVG from the warehouse's geometry (WGS84, simplified when it was loaded), so a map
opens offline, in a mail or on a slide, with no tile server and no script. The projection is the
plate carrée stretched by cos(51°), true to shape at the latitude of central Germany, which is all
a thematic map of Länder needs.

Territory over time: a map of a date draws the Kreise of that date. Where a Kreis of the date is not
in the edition at hand, its figures go to the edition's region that contains it
(reference/territory_changes.csv: Hanau inside the Main-Kinzig-Kreis until 31.12.2025, Eisenach
inside the Wartburgkreis since 1 July 2021), numerators and denominators summed, and a note says
so; where no edition region contains it (Saxony's Kreise before 1 August 2008) it is not drawn, and
a note says that too.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from demografie import registry
from demografie.errors import PublishError
from demografie.fileio import atomic_write_bytes
from demografie.laender import LAENDER, Land
from demografie.reference import census_bases, territory_changes
from demografie.transforms.boundaries import BKG_URL, LICENCE_URL, SOURCES_URL
from demografie.warehouse.sqlfiles import query_rows

LATITUDE = 51.0
PANEL_HEIGHT = 420.0
# up to this many Länder are drawn apart, each in a panel of its own; more as one map, taller
SIDE_BY_SIDE = 3
ONE_MAP_HEIGHT = 640.0
GAP = 40.0
MARGIN = 10.0
SEQUENTIAL = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d")
# ColorBrewer RdBu: five classes a side, as many as class_breaks can put on one side of zero
NEGATIVE = ("#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7")  # strongest first
POSITIVE = ("#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061")  # weakest first
NO_FIGURE = "#d9d9d9"
CLASSES = 5
LEGEND_COLUMNS = 4


@dataclass(frozen=True)
class Figure:
    """One indicator's values of one date, as the marts give them (per Kreis of that date)."""

    region_code: str
    region_name: str
    state: str
    numerator: float
    denominator: float
    factor: float


@dataclass(frozen=True)
class Shape:
    region_code: str
    name: str
    state: str
    level: str  # kreis | land
    geometry: dict[str, Any]  # GeoJSON in WGS84


@dataclass
class Choropleth:
    title: str
    unit: str
    ref_date: date
    gebietsstand: date
    attribution_year: int
    values: dict[str, float | None]  # edition region -> value drawn
    names: dict[str, str]
    breaks: list[float]
    colours: list[str]
    notes: list[str] = field(default_factory=list)


def place(
    figures: Sequence[Figure], shapes: Sequence[Shape], ref_date: date, gebietsstand: date
) -> tuple[dict[str, float | None], list[str]]:
    """The value each edition region is drawn with, and notes on what was merged or left out."""
    kreise = {s.region_code for s in shapes if s.level == "kreis"}
    days = _Days(ref_date, gebietsstand, {c.code: c for c in territory_changes()})
    sums: dict[str, list[float]] = {}
    notes, unplaced = [], []
    for figure in figures:
        target, note = days.drawn_in(figure.region_code, kreise)
        notes += [note] if note else []
        if target not in kreise:
            unplaced.append(figure)
            continue
        total = sums.setdefault(target, [0.0, 0.0, figure.factor])
        total[0] += figure.numerator
        total[1] += figure.denominator
    values: dict[str, float | None] = {code: (t[2] * t[0] / t[1] if t[1] else None) for code, t in sums.items()}
    notes += days.fill_older(kreise, values)
    return values, notes + days.unplaced_notes(unplaced)


@dataclass(frozen=True)
class _Days:
    """The figures' day, the edition's Gebietsstand, and the Kreis reforms between them."""

    ref_date: date
    gebietsstand: date
    changes: dict[str, Any]  # region code -> its territory change (reference/territory_changes.csv)

    def drawn_in(self, code: str, kreise: set[str]) -> tuple[str, str | None]:
        """The edition region a figure is drawn in: its own, or (a Kreis the edition does not have)
        the Kreis whose territory contains it on the edition's Gebietsstand, with a note saying so."""
        change = self.changes.get(code)
        if code in kreise or not change or not change.inside_on(self.gebietsstand):
            return code, None
        return change.part_of, (
            f"{change.note}: on {self.ref_date:%d.%m.%Y} its figures are added to those of {change.part_of_name} "
            f"({change.part_of}), which contains it in the BKG edition of {self.gebietsstand:%d.%m.%Y}."
        )

    def fill_older(self, kreise: set[str], values: dict[str, float | None]) -> list[str]:
        """A Kreis of the edition that was part of another on the figures' day is drawn with the
        figure of the Kreis it was part of then."""
        notes = []
        for code in sorted(kreise - set(values)):
            change = self.changes.get(code)
            if change and change.inside_on(self.ref_date) and change.part_of in values:
                values[code] = values[change.part_of]
                notes.append(
                    f"{change.note}: on {self.ref_date:%d.%m.%Y} it was part of {change.part_of_name}, whose "
                    "figure it is drawn with."
                )
        return notes

    def unplaced_notes(self, unplaced: list[Figure]) -> list[str]:
        notes = []
        for state in sorted({f.state for f in unplaced}):
            left = [f for f in unplaced if f.state == state]
            shown = ", ".join(f.region_name for f in left[:3]) + (" …" if len(left) > 3 else "")
            notes.append(
                f"{LAENDER.get(state, state)}: {len(left)} Kreise of {self.ref_date:%d.%m.%Y} ({shown}) are in no "
                f"region of the BKG edition of {self.gebietsstand:%d.%m.%Y} (their territory has changed since): "
                "not drawn."
            )
        return notes


def class_breaks(values: Iterable[float | None], classes: int = CLASSES) -> list[float]:
    """Quantile breaks over every Land's values together (so one colour means one range in all),
    rounded to two significant digits of the range; zero becomes a break where values lie on both
    sides of it, so that colour says gain or loss."""
    known = sorted(v for v in values if v is not None and math.isfinite(v))
    if len(known) < 2:
        return []
    step = 10 ** (math.floor(math.log10(max(known[-1] - known[0], 1e-9))) - 1)
    quantiles = [known[min(len(known) - 1, round(i * (len(known) - 1) / classes))] for i in range(1, classes)]
    breaks = sorted({round(q / step) * step for q in quantiles})
    if known[0] < 0 < known[-1]:
        breaks = sorted({*(b for b in breaks if abs(b) > step / 2), 0.0})
    return [b for b in breaks if known[0] < b <= known[-1]]


def palette(breaks: Sequence[float]) -> list[str]:
    """One colour per class (len(breaks) + 1): diverging around a break at zero, else sequential."""
    classes = len(breaks) + 1
    if 0.0 in breaks:
        below = breaks.index(0.0) + 1
        if below <= len(NEGATIVE) and classes - below <= len(POSITIVE):
            return [*NEGATIVE[len(NEGATIVE) - below :], *POSITIVE[: classes - below]]
    if classes > len(SEQUENTIAL):
        raise ValueError(f"{classes} classes, but the palette has {len(SEQUENTIAL)} colours")
    return list(SEQUENTIAL[:classes])


def colour(value: float | None, breaks: Sequence[float], colours: Sequence[str]) -> str:
    if value is None:
        return NO_FIGURE
    return colours[sum(value >= b for b in breaks)]


def choropleth(
    title: str,
    unit: str,
    ref_date: date,
    gebietsstand: date,
    attribution_year: int,
    figures: Sequence[Figure],
    shapes: Sequence[Shape],
) -> Choropleth:
    values, notes = place(figures, shapes, ref_date, gebietsstand)
    breaks = class_breaks(values.values())
    names = {s.region_code: s.name for s in shapes}
    return Choropleth(
        title, unit, ref_date, gebietsstand, attribution_year, values, names, breaks, palette(breaks), notes
    )


def _ranges(breaks: Sequence[float]) -> list[str]:
    edges = [f"{b:,.4g}" for b in breaks]
    if not edges:
        return ["all"]
    return [
        f"under {edges[0]}",
        *(f"{a} to under {b}" for a, b in itertools.pairwise(edges)),
        f"{edges[-1]} and over",
    ]


class _Projection:
    """Where each Land is drawn: a panel per Land (keyed by its key), or one panel `""` for all."""

    def __init__(self, shapes: Sequence[Shape]) -> None:
        self.stretch = math.cos(math.radians(LATITUDE))
        states = sorted({s.state for s in shapes})
        self.together = len(states) > SIDE_BY_SIDE
        self.height = ONE_MAP_HEIGHT if self.together else PANEL_HEIGHT
        self.panels: dict[str, tuple[float, float, float, float]] = {}
        for panel in [""] if self.together else states:
            points = [p for s in shapes if self.panel(s.state) == panel for p in _points(s.geometry)]
            if points:
                xs, ys = [x * self.stretch for x, _ in points], [y for _, y in points]
                self.panels[panel] = (min(xs), max(xs), min(ys), max(ys))
        heights = [top - bottom for _, _, bottom, top in self.panels.values()]
        self.scale = self.height / max(heights, default=1.0)
        self.offsets: dict[str, float] = {}
        x = MARGIN
        for state, (left, right, _, _) in self.panels.items():
            self.offsets[state] = x - left * self.scale
            x += (right - left) * self.scale + GAP
        self.width = x - GAP + MARGIN
        self.top = max((top for _, _, _, top in self.panels.values()), default=0.0)

    def panel(self, state: str) -> str:
        return "" if self.together else state

    def point(self, state: str, lon: float, lat: float) -> str:
        x = self.offsets[self.panel(state)] + lon * self.stretch * self.scale
        y = MARGIN + 30 + (self.top - lat) * self.scale
        return f"{x:.1f},{y:.1f}"


def _points(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    return [tuple(p) for polygon in _polygons(geometry) for ring in polygon for p in ring]  # type: ignore[misc]


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _path(shape: Shape, projection: _Projection) -> str:
    return " ".join(
        "M" + " L".join(projection.point(shape.state, lon, lat) for lon, lat in ring) + " Z"
        for polygon in _polygons(shape.geometry)
        for ring in polygon
    )


def render_svg(chart: Choropleth, shapes: Sequence[Shape]) -> str:
    """The map as a standalone SVG document (also inlined in HTML)."""
    projection = _Projection(shapes)
    height = MARGIN + 30 + projection.height + 20
    legend_rows = math.ceil((len(chart.colours) + 1) / LEGEND_COLUMNS)
    total = height + 30 + 20 * legend_rows + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {projection.width:.0f} {total:.0f}" '
        f'width="{projection.width:.0f}" height="{total:.0f}" font-family="sans-serif" font-size="12" '
        f'role="img" aria-label="{html.escape(chart.title)}">',
        "<style>path.kreis:hover{stroke:#000;stroke-width:2}</style>",
    ]
    for panel, (left_edge, _, _, _) in projection.panels.items():
        if panel:  # one map of many Länder needs no heading: its section names them
            left = left_edge * projection.scale + projection.offsets[panel]
            name = html.escape(LAENDER.get(panel, panel))
            parts.append(f'<text x="{left:.0f}" y="{MARGIN + 14:.0f}" font-weight="bold">{name}</text>')
    for shape in shapes:
        d = _path(shape, projection)
        if shape.level == "kreis":
            value = chart.values.get(shape.region_code)
            shown = "no figure" if value is None else f"{value:,.2f} {chart.unit}"
            # names and codes come from a boundary package: text, never markup
            code, name = html.escape(shape.region_code), html.escape(shape.name)
            parts.append(
                f'<path class="kreis" data-code="{code}" d="{d}" '
                f'fill="{colour(value, chart.breaks, chart.colours)}" stroke="#ffffff" stroke-width="0.6">'
                f"<title>{name} ({code}): {html.escape(shown)}</title></path>"
            )
    for shape in shapes:
        if shape.level == "land":
            parts.append(
                f'<path class="land" d="{_path(shape, projection)}" fill="none" stroke="#333" stroke-width="1.2"/>'
            )
    parts += _legend(chart, height, projection.width)
    first, second = attribution(chart).split(", Datenquellen: ")
    for i, line in enumerate((first, f"Datenquellen: {second}")):
        y = total - 24 + 13 * i
        parts.append(f'<text x="{MARGIN}" y="{y:.0f}" font-size="10" fill="#555">{html.escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(chart: Choropleth, top: float, width: float) -> list[str]:
    entries = [*zip(chart.colours, _ranges(chart.breaks), strict=True), (NO_FIGURE, "no figure")]
    parts = [f'<text x="{MARGIN}" y="{top + 4:.0f}">{html.escape(chart.unit)}, {chart.ref_date:%d.%m.%Y}</text>']
    step = (width - 2 * MARGIN) / LEGEND_COLUMNS
    for i, (fill, label) in enumerate(entries):
        x, y = MARGIN + (i % LEGEND_COLUMNS) * step, top + 14 + 20 * (i // LEGEND_COLUMNS)
        parts.append(
            f'<rect class="legend" x="{x:.0f}" y="{y:.0f}" width="18" height="12" fill="{fill}" stroke="#999"/>'
            f'<text x="{x + 24:.0f}" y="{y + 10:.0f}">{html.escape(label)}</text>'
        )
    return parts


def attribution(chart: Choropleth) -> str:
    return (
        f"Boundaries: {registry.attribution('bkg', chart.attribution_year)}, "
        f"Gebietsstand {chart.gebietsstand:%d.%m.%Y}, Datenquellen: {SOURCES_URL}"
    )


def attribution_html(chart: Choropleth) -> str:
    return (
        f'Boundaries: © <a href="{BKG_URL}">BKG</a> ({chart.attribution_year}) '
        f'<a href="{LICENCE_URL}">dl-de/by-2-0</a>, Gebietsstand '
        f'{chart.gebietsstand:%d.%m.%Y}, <a href="{SOURCES_URL}">Datenquellen</a>'
    )


def figure_html(chart: Choropleth, shapes: Sequence[Shape]) -> str:
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in chart.notes)
    return (
        f'<figure class="map">{render_svg(chart, shapes)}<figcaption>{attribution_html(chart)}</figcaption>'
        f"{notes}</figure>"
    )


def shapes_from_rows(rows: Iterable[dict[str, Any]]) -> list[Shape]:
    return [Shape(r["region_code"], r["name"], r["state"], r["region_level"], json.loads(r["geometry"])) for r in rows]


NO_BOUNDARIES = "No boundaries in this warehouse: `demografie geodata` loads BKG's VG1000 (or --file a saved package)."


class NoMapError(PublishError, ValueError):
    """What a map needs is not in the warehouse; the message says what to load."""


class LandNotHeldError(PublishError, ValueError):
    """A Land asked for that the warehouse does not hold."""


def held_lands(con: duckdb.DuckDBPyConnection, states: Sequence[str] | None = None) -> list[Land]:
    """The Länder the warehouse holds (meta.states), or of them those of `states`."""
    held = [Land(**row) for row in query_rows(con, "report/states.sql")]
    if states is None:
        return held
    if missing := sorted(set(states) - {land.key for land in held}):
        names = ", ".join(f"{LAENDER.get(key, key)} ({key})" for key in missing)
        built = ",".join(land.key for land in held)
        raise LandNotHeldError(
            f"this warehouse holds no {names}: it was built for {built} (DEMOGRAFIE_STATES, then `demografie build`)"
        )
    return [land for land in held if land.key in states]


def read_map(
    con: duckdb.DuckDBPyConnection, indicator: str, ref_date: date | None, lands: Sequence[Land]
) -> tuple[Choropleth, list[Shape]]:
    """The map of `indicator` for the Länder `lands`."""
    states = [land.key for land in lands]
    shape_rows = query_rows(con, "report/map_shapes.sql", {"states": states})
    if not shape_rows:
        raise NoMapError(NO_BOUNDARIES)
    rows = query_rows(con, "report/map_values.sql", {"indicator": indicator, "ref_date": ref_date, "states": states})
    if not rows:
        on = f" on {ref_date:%d.%m.%Y}" if ref_date else ""
        raise NoMapError(f"no figures of {indicator}{on} in this warehouse")
    shapes = shapes_from_rows(shape_rows)
    figures = [
        Figure(r["region_code"], r["region_name"], r["state"], r["numerator"], r["denominator"], r["factor"])
        for r in rows
    ]
    edition = shape_rows[0]
    chart = choropleth(
        rows[0]["title"],
        rows[0]["unit"],
        rows[0]["ref_date"],
        edition["gebietsstand"],
        edition["retrieved_at"].year,
        figures,
        shapes,
    )
    chart.notes += _basis_notes(rows)
    return chart, shapes


def _basis_notes(rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    if any(r["synthetic"] for r in rows):
        notes.append("SYNTHETIC figures generated by demografie, not official statistics.")
    labels = {b.basis: b.short_label for b in census_bases()}
    by_basis: dict[str, set[str]] = {}
    for row in rows:
        for basis in (row["census_basis"] or "").split("+"):
            if basis:
                by_basis.setdefault(labels.get(basis, basis), set()).add(LAENDER.get(row["state"], row["state"]))
    if by_basis:
        notes.append(
            "Population figures on the census basis "
            + ", ".join(f"{basis} ({_lands(lands)})" for basis, lands in sorted(by_basis.items()))
            + "."
        )
    return notes


def _lands(names: set[str]) -> str:
    """The Länder by name, or by number when there are more than a line holds."""
    return ", ".join(sorted(names)) if len(names) <= 3 else f"{len(names)} Länder"


@dataclass(frozen=True)
class WrittenMap:
    html: Path
    svg: Path
    chart: Choropleth


def write_map(
    warehouse: Path, indicator: str, ref_date: date | None, stem: Path, states: Sequence[str] | None = None
) -> WrittenMap:
    """`<stem>.html` (the map with its notes and linked attribution) and `<stem>.svg` (for slides),
    of the Länder `states` (default: all the warehouse holds)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        chart, shapes = read_map(con, indicator, ref_date, held_lands(con, states))
    svg, page = stem.with_suffix(".svg"), stem.with_suffix(".html")
    atomic_write_bytes(svg, render_svg(chart, shapes).encode("utf-8"))
    title = html.escape(chart.title)
    document = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>body{{font-family:sans-serif;margin:2em}}{MAP_CSS}</style></head>"
        f"<body><h1>{title}</h1>{figure_html(chart, shapes)}</body></html>"
    )
    atomic_write_bytes(page, document.encode("utf-8"))
    return WrittenMap(page, svg, chart)


MAP_CSS = (
    "figure.map{margin:0}figure.map svg{max-width:100%;height:auto}"
    "p.note{color:#555;font-size:90%}figcaption{font-size:85%;color:#555}"
)


def map_sections(con: duckdb.DuckDBPyConnection, lands: Sequence[Land]) -> list[str]:
    """The report's maps (meta.indicators.report_map), one section each; a single section saying what
    to load without boundaries."""
    sections = []
    for indicator in query_rows(con, "report/map_indicators.sql"):
        key, title = indicator["indicator"], indicator["title"]
        try:
            chart, shapes = read_map(con, key, None, lands)
        except NoMapError as exc:
            if str(exc) == NO_BOUNDARIES:
                return [f'<section><h2>Maps</h2><p class="empty" id="maps">{html.escape(NO_BOUNDARIES)}</p></section>']
            body = f"<p class='empty'>{html.escape(str(exc))}</p>"
        else:
            body = figure_html(chart, shapes)
        sections.append(f'<section id="map-{key}"><h2>{html.escape(title)}</h2>{body}</section>')
    return sections

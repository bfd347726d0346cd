"""One self-contained HTML report with the charts people would rather look at than read.

Plotly draws the charts; its JavaScript is embedded once, so the file opens offline and can be
mailed around. The maps (publish/maps.py) are plain SVG on BKG's boundaries, when the warehouse has
them. The data comes from the marts through the queries in sql/report/. A chart whose data the
warehouse does not hold says so in its place instead of being left out silently.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from demografie import __version__
from demografie.errors import PublishError
from demografie.fileio import atomic_write_bytes
from demografie.laender import LAENDER, Land
from demografie.publish.maps import MAP_CSS, held_lands, map_sections
from demografie.reference import SETTLEMENT_STRUCTURE_YEAR, census_bases
from demografie.registry import attribution
from demografie.warehouse.sqlfiles import query_rows

# the BBSR settlement-structure types, from the cities to the thinly settled countryside
AREAS = {
    "kreisfreie Großstadt": "kreisfreie Großstädte",
    "Städtischer Kreis": "städtische Kreise",
    "Ländlicher Kreis mit Verdichtungsansätzen": "ländliche Kreise mit Verdichtungsansätzen",
    "Dünn besiedelter ländlicher Kreis": "dünn besiedelte ländliche Kreise",
}
LIFE_PHASES = {
    "education": "education (18-24)",
    "career_start": "career start (25-29)",
    "families": "families (under 18, 30-49)",
    "retirement": "retirement (65+)",
}
TEMPLATE = "plotly_white"
BASIS_LABELS = {b.basis: b.short_label for b in census_bases()}
BASIS_SYMBOLS = {
    "zensus2022": "diamond",
    "zensus2011": "circle",
    "vz1987": "square",
    "register1990": "square",
    "berlin1990": "square",
}

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    query: str
    draw: Callable[[Rows, Sequence[Group]], go.Figure]
    missing: str  # what to load so that the chart has data
    note: Callable[[Rows], str] | None = None  # a footnote under the chart
    parameters: dict[str, str] | None = None  # of the query


@dataclass(frozen=True)
class Group:
    """What a chart draws as one: a Land, or several Länder summed (one Land against the rest)."""

    key: str  # the `state` of the report queries' rows
    name: str
    colour: str
    members: tuple[str, ...]


REST = "rest"
REST_COLOUR = "#555555"


class FocusError(PublishError, ValueError):
    """A Land to compare against the rest that the report does not draw."""


def compared(lands: Sequence[Land], focus: str | None) -> tuple[list[Group], dict[str, list[str]]]:
    """What the report draws (each Land on its own, or `focus` against the others together) and the
    queries' parameters: the Länder and the group of each."""
    states = [land.key for land in lands]
    if focus is None:
        return [Group(land.key, land.name, land.colour, (land.key,)) for land in lands], {
            "states": states,
            "groups": states,
        }
    if focus not in states:
        shown = ", ".join(f"{land.name} ({land.key})" for land in lands)
        raise FocusError(f"--focus {focus}: {LAENDER.get(focus, focus)} is not among the Länder drawn: {shown}")
    if len(states) < 2:
        raise FocusError(f"--focus {focus}: {LAENDER[focus]} is the only Land drawn; there is no rest to compare")
    one = next(land for land in lands if land.key == focus)
    others = [land for land in lands if land.key != focus]
    rest_name = " and ".join(o.name for o in others) if len(others) <= 2 else f"the other {len(others)} Länder"
    groups = [
        Group(one.key, one.name, one.colour, (one.key,)),
        Group(REST, rest_name, REST_COLOUR, tuple(o.key for o in others)),
    ]
    return groups, {"states": states, "groups": [focus if key == focus else REST for key in states]}


@dataclass(frozen=True)
class Written:
    path: Path
    drawn: list[str]
    empty: list[str]


def write_report(
    warehouse: Path, target: Path, states: Sequence[str] | None = None, focus: str | None = None
) -> Written:
    """The report on the Länder `states` (default: all the warehouse holds, meta.states), each in
    its colour, or the Land `focus` against the others together (ratios of their sums)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        provenance = query_rows(con, "report/provenance.sql")[0]
        lands = held_lands(con, states)
        groups, keys = compared(lands, focus)
        data = {chart.id: query_rows(con, chart.query, {**(chart.parameters or {}), **keys}) for chart in CHARTS}
        maps = map_sections(con, lands)
    sections, drawn, empty = [], [], []
    for chart in CHARTS:
        rows = data[chart.id]
        if rows:
            figure = chart.draw(rows, groups)
            figure.update_layout(template=TEMPLATE, margin={"t": 60, "l": 60, "r": 20, "b": 50})
            body = figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart.id, config={"responsive": True})
            if chart.note is not None:
                body += f'<p class="note">{html.escape(chart.note(rows))}</p>'
            if absent := _absent(chart, rows, groups):
                body += f'<p class="note">{html.escape(absent)}</p>'
            drawn.append(chart.id)
        else:
            missing = html.escape(chart.missing)
            body = f'<p class="empty" id="{chart.id}">No data for this chart in this warehouse. {missing}</p>'
            empty.append(chart.id)
        sections.append(f"<section><h2>{html.escape(chart.title)}</h2>{body}</section>")
    atomic_write_bytes(target, _page([*sections, *maps], provenance, groups).encode("utf-8"))
    return Written(target, drawn, empty)


def _absent(chart: Chart, rows: Rows, groups: Sequence[Group]) -> str:
    """A note naming what a drawn chart leaves out: a Land without figures for it, or a group of
    Länder whose rate cannot be made of theirs."""
    missing = [group for group in groups if not any(r["state"] == group.key for r in rows)]
    if not missing:
        return ""
    why = " (the publishers' rates of several Länder do not add up)" if chart.id == "unemployment" else ""
    return f"Not in this chart: {', '.join(group.name for group in missing)}{why}."


def _pyramid(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    """One pyramid per Land, in a grid of up to four abreast."""
    shown, columns, grid = _grid(rows, groups)
    figure = make_subplots(
        rows=grid, cols=columns, subplot_titles=[group.name for group in shown], shared_yaxes=True,
        horizontal_spacing=0.04, vertical_spacing=0.3 / grid,
    )  # fmt: skip
    for n, group in enumerate(shown):
        mine = [r for r in rows if r["state"] == group.key]
        total = sum(r["population"] for r in mine)
        for sex, sign, colour in (("male", -1, "#4a78b5"), ("female", 1, "#d9715f")):
            bands = [r for r in mine if r["sex"] == sex]
            figure.add_trace(
                go.Bar(
                    # a grouped band (75-79) is drawn per year of age, so it does not look five times as big
                    x=[sign * 100 * r["population"] / _width(r) / total for r in bands],
                    y=[_band(r) for r in bands],
                    orientation="h",
                    name=f"{group.name}, {'men' if sex == 'male' else 'women'}",
                    marker_color=colour,
                    customdata=[r["population"] for r in bands],
                    hovertemplate="%{y}: %{customdata:,.0f} persons<extra></extra>",
                ),
                row=n // columns + 1,
                col=n % columns + 1,
            )
    day = rows[0]["ref_date"]
    figure.update_layout(
        barmode="relative",
        bargap=0.05,
        showlegend=False,
        title=f"Population by age and sex on {day:%d.%m.%Y} (left: men, right: women; % of all persons per "
        "year of age; the open oldest band as a whole)",
        height=650 if grid == 1 else 420 * grid,
    )
    figure.update_xaxes(tickformat=".1f")
    figure.update_yaxes(type="category")
    return figure


def _width(row: dict[str, Any]) -> int:
    return 1 if row["age_to"] is None else row["age_to"] - row["age_from"] + 1


def _band(row: dict[str, Any]) -> str:
    if row["age_to"] is None:
        return f"{row['age_from']}+"
    if row["age_to"] == row["age_from"]:
        return str(row["age_from"])
    return f"{row['age_from']}–{row['age_to']}"


def _population_change(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    """Only changes within one census basis (direct) or chain-linked across a re-basing; a Kreis
    whose change crosses a break without an overlap is left out and named, never drawn as the
    plain difference."""
    five_years = all(r["change_5y_percent"] is not None for r in rows if r["change_1y_percent"] is not None)
    years = 5 if five_years else 1
    key, method, link = (f"change_{years}y_percent", f"change_{years}y_method", f"change_{years}y_link_date")
    figure = go.Figure()
    for group in groups:
        mine = sorted((r for r in rows if r["state"] == group.key and r[key] is not None), key=lambda r: r[key])
        figure.add_trace(
            go.Bar(
                x=[r[key] for r in mine],
                y=[r["region_name"] for r in mine],
                orientation="h",
                name=group.name,
                marker={"color": group.colour, "pattern": {"shape": [_hatch(r[method]) for r in mine]}},
                customdata=[_change_note(r[method], r[link]) for r in mine],
                hovertemplate="%{y}: %{x:.2f} % (%{customdata})<extra></extra>",
            )
        )
    day = max(r["ref_date"] for r in rows)
    left_out = sorted(r["region_name"] for r in rows if r[key] is None)
    notes = ["Hatched: chain-linked across a census re-basing at the date both bases are held (docs/census-bases.md)."]
    if left_out:
        notes.append(f"Left out (a census break without an overlap, or no earlier figure): {', '.join(left_out)}.")
    figure.update_layout(
        title=f"Population change over {years} year(s) to {day:%d.%m.%Y}, by Kreis (%)",
        height=max(500, 18 * len(rows)),
        yaxis={"type": "category"},
        margin={"b": 90},
    )
    figure.add_annotation(
        text="<br>".join(html.escape(n) for n in notes),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.06,
        showarrow=False,
        align="left",
        xanchor="left",
        yanchor="top",
        font={"size": 11},
    )
    return figure


def _hatch(method: str) -> str:
    return "/" if method == "linked" else ""


def _change_note(method: str, link: date | None) -> str:
    return f"linked at {link:%d.%m.%Y}" if method == "linked" and link else "one census basis"


def _dependency(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    """One series per Land (or group), ratio and census basis, so that a re-basing shows as a gap
    between two series, and the census days as dashed lines."""
    figure = go.Figure()
    for group in groups:
        for basis in sorted({r["census_basis"] or "" for r in rows if r["state"] == group.key}):
            mine = [r for r in rows if r["state"] == group.key and (r["census_basis"] or "") == basis]
            for column, label, dash in (
                ("old_age_dependency_ratio", "65+", "solid"),
                ("youth_dependency_ratio", "<20", "dot"),
            ):
                figure.add_trace(
                    go.Scatter(
                        x=[r["ref_date"].year for r in mine],  # every point is a 31 December
                        y=[r[column] for r in mine],
                        mode="lines+markers",
                        name=f"{group.name} {label} ({_basis_label(basis)})",
                        line={"color": group.colour, "dash": dash},
                        marker={"symbol": BASIS_SYMBOLS.get(basis, "circle")},
                    )
                )
    drawn = {r["state"] for r in rows}
    states = {state for group in groups if group.key in drawn for state in group.members}
    _mark_census_days(figure, {r["ref_date"].year for r in rows}, states)
    figure.update_layout(
        title="Dependency ratios on 31 December: 65+ and under 20 per 100 aged 20–64 (one series per census basis;"
        " dashed: census days)",
        yaxis={"title": "per 100"},
        xaxis={"dtick": 5 if len(rows) > 30 else 1},
    )
    return figure


def _basis_label(basis: str) -> str:
    """`Zensus 2011`; for a group of Länder on different bases each, joined by +."""
    return " + ".join(BASIS_LABELS.get(b, b) for b in basis.split("+")) if basis else "no basis"


def _mark_census_days(figure: go.Figure, years: set[int], states: set[str]) -> None:
    """A dashed line at each census day of the drawn Länder within the chart's years (x: the year of
    a 31 December, so a census in May 2011 lies between 2010 and 2011); one line per day."""
    days: dict[date, list[str]] = {}
    for basis in census_bases():
        if states & set(basis.states) and basis.short_label not in days.get(basis.census_day, []):
            days.setdefault(basis.census_day, []).append(basis.short_label)
    for day, labels in days.items():
        position = day.year - 1 + day.timetuple().tm_yday / 366
        if years and min(years) <= position <= max(years):
            figure.add_vline(
                x=position,
                line_dash="dash",
                line_color="#888",
                annotation_text=" / ".join(labels),
                annotation_textangle=-90,
                annotation_position="top left",
                annotation_font_size=10,
            )


def _by_area(title: str, areas: dict[str, str]) -> Callable[[Rows, Sequence[Group]], go.Figure]:
    """One small chart per indicator (their scales differ), the areas side by side for every Land."""

    def draw(rows: Rows, groups: Sequence[Group]) -> go.Figure:
        indicators = sorted({r["indicator"] for r in rows})
        columns = 3
        figure = make_subplots(
            rows=math.ceil(len(indicators) / columns),
            cols=columns,
            subplot_titles=[_indicator_label(i, rows) for i in indicators],
            vertical_spacing=0.12,
        )
        for n, indicator in enumerate(indicators):
            for group in groups:
                values = {
                    r["area"]: r["value"] for r in rows if r["indicator"] == indicator and r["state"] == group.key
                }
                figure.add_trace(
                    go.Bar(
                        x=list(areas.values()),
                        y=[values.get(area) for area in areas],
                        name=group.name,
                        marker_color=group.colour,
                        showlegend=n == 0,
                        legendgroup=group.key,
                    ),
                    row=n // columns + 1,
                    col=n % columns + 1,
                )
        figure.update_layout(barmode="group", title=title, height=300 * math.ceil(len(indicators) / columns) + 80)
        figure.update_annotations(font_size=11)
        return figure

    return draw


def _projections(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    """Each Land's projected population by variant, and what was observed, on one time axis."""
    shown, columns, grid = _grid(rows, groups)
    figure = make_subplots(rows=grid, cols=columns, subplot_titles=[group.name for group in shown])
    for n, group in enumerate(shown):
        for trace in _projection_traces([r for r in rows if r["state"] == group.key], group):
            figure.add_trace(trace, row=n // columns + 1, col=n % columns + 1)
    edition = next(r for r in rows if r["kind"] == "projected")
    figure.update_layout(
        title=f"Coordinated population projection no. {edition['edition']} (base {edition['base_date']:%d.%m.%Y}) "
        "by variant, and the observed population",
        height=460 * grid,
    )
    return figure


def _projection_traces(mine: Rows, group: Group) -> list[go.Scatter]:
    """One dotted line per variant, and the observed population as a solid one."""
    traces = []
    for variant in sorted({r["variant"] for r in mine if r["kind"] == "projected"}):
        series = [r for r in mine if r["variant"] == variant]
        traces.append(
            go.Scatter(x=[r["ref_date"] for r in series], y=[r["persons"] for r in series], mode="lines",
                       name=f"{group.name}: {variant}", line={"color": group.colour, "dash": "dot"})
        )  # fmt: skip
    seen = [r for r in mine if r["kind"] == "observed"]
    traces.append(
        go.Scatter(x=[r["ref_date"] for r in seen], y=[r["persons"] for r in seen], mode="lines+markers",
                   name=f"{group.name}: observed", line={"color": group.colour})
    )  # fmt: skip
    return traces


def _grid(rows: Rows, groups: Sequence[Group]) -> tuple[list[Group], int, int]:
    """The Länder with rows, and the columns and rows of a grid of one panel each, four abreast."""
    shown = [group for group in groups if any(r["state"] == group.key for r in rows)]
    columns = max(1, min(len(shown), 4))
    return shown, columns, math.ceil(len(shown) / columns)


def _projection_note(rows: Rows) -> str:
    return (
        f"{_tables_and_stand(rows)} A projection is never an observation: it is held apart in "
        f"marts.population_projection.{_synthetic_note(rows)}"
    )


def _life_phases(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    """Net migration by life phase: the cities beside the thinly settled countryside, every Land."""
    areas = ["kreisfreie Großstadt", "Dünn besiedelter ländlicher Kreis"]
    figure = make_subplots(rows=1, cols=2, subplot_titles=[AREAS[a] for a in areas], shared_yaxes=True)
    for column, area in enumerate(areas, start=1):
        for group in groups:
            mine = {r["life_phase"]: r["value"] for r in rows if r["area"] == area and r["state"] == group.key}
            figure.add_trace(
                go.Bar(
                    x=list(LIFE_PHASES.values()),
                    y=[mine.get(p) for p in LIFE_PHASES],
                    name=group.name,
                    marker_color=group.colour,
                    showlegend=column == 1,
                    legendgroup=group.key,
                ),
                row=1,
                col=column,
            )
    figure.update_layout(
        barmode="group",
        title=f"Net migration per 1,000 persons of the ages, {rows[0]['ref_date']:%Y} (BBSR settlement types)",
        height=460,
    )
    return figure


def _sources_note(rows: Rows) -> str:
    """Which tables, of which Stand, the chart is made of, and the settlement types' attribution."""
    return (
        f"{_tables_and_stand(rows)} Settlement types: BBSR, Siedlungsstrukturelle Kreistypen "
        f"{SETTLEMENT_STRUCTURE_YEAR} ({attribution('bbsr', SETTLEMENT_STRUCTURE_YEAR)}).{_synthetic_note(rows)}"
    )


def _tables_and_stand(rows: Rows) -> str:
    tables = sorted({t.strip() for r in rows for t in (r["sources"] or "").split(",") if t.strip()})
    newest = max(r["vintage"] for r in rows)
    return f"Sources: {', '.join(tables)}; newest Stand {newest:%d.%m.%Y}."


def _synthetic_note(rows: Rows) -> str:
    return " Synthetic figures (demo), not official statistics." if any(r["synthetic"] for r in rows) else ""


def _indicator_label(indicator: str, rows: Rows) -> str:
    row = next(r for r in rows if r["indicator"] == indicator)
    return f"{indicator.replace('_', ' ')}<br>({row['unit']}, {row['ref_date']:%d.%m.%Y})"


def _unemployment(rows: Rows, groups: Sequence[Group]) -> go.Figure:
    figure = go.Figure()
    for group in groups:
        mine = [r for r in rows if r["state"] == group.key]
        figure.add_trace(
            go.Scatter(
                x=[r["year"] for r in mine],
                y=[r["unemployment_rate"] for r in mine],
                mode="lines+markers",
                name=group.name,
                line={"color": group.colour},
            )
        )
    figure.update_layout(
        title="Unemployment rate, annual average (% of the civilian labour force)", yaxis={"title": "%"}
    )
    return figure


CHARTS = (
    Chart(
        "pyramids",
        "Population pyramids",
        "report/pyramid.sql",
        _pyramid,
        "Load a table of age by sex with Land rows, e.g. 12411-04-02-4-B.",
    ),
    Chart(
        "population-change",
        "Population change by Kreis",
        "report/population_change.sql",
        _population_change,
        "Load population at Kreis level for at least two years, e.g. 12411-01-01-4.",
    ),
    Chart(
        "dependency",
        "Dependency ratios over time",
        "report/dependency_ratios.sql",
        _dependency,
        "Load population by age at Land level, e.g. 12411-04-02-4-B or Destatis 12411-0012.",
    ),
    Chart(
        "city-countryside",
        "City vs countryside",
        "report/city_countryside.sql",
        _by_area("City vs countryside: the BBSR settlement-structure types", AREAS),
        "Load Kreis tables by age, employment or movement.",
        _sources_note,
    ),
    Chart(
        "life-phases",
        "Rural areas and the cities: migration by life phase",
        "report/life_phase_migration.sql",
        _life_phases,
        "Load migration by age group (12711-02-02-4) and population by age (12411-04-02-4) of the same years.",
        _sources_note,
    ),
    Chart(
        "skilled-workers",
        "The skilled-worker pipeline: school, vocational training, qualification",
        "report/theme_by_area.sql",
        _by_area("From school to the labour market, Land and BBSR settlement types", {"land": "Land", **AREAS}),
        "Load school leavers (21111-02-06-4), vocational pupils (21121-01-05-4), employees by qualification "
        "(13111-11-04-4) or population by age (12411-04-02-4).",
        _sources_note,
        {"theme": "skilled_workers"},
    ),
    Chart(
        "services",
        "Daseinsvorsorge: day care, long-term care, hospitals",
        "report/theme_by_area.sql",
        _by_area("Services per head of the ages they serve, Land and BBSR settlement types", {"land": "Land", **AREAS}),
        "Load day care (22541-01-04-4), care (22411-02-03-4) or hospitals (23111-01-04-4) with population by age "
        "(12411-04-02-4).",
        _sources_note,
        {"theme": "services"},
    ),
    Chart(
        "projections",
        "Projections: the population in the coming decades",
        "report/projections.sql",
        _projections,
        "Load the coordinated population projection (12421-0003).",
        _projection_note,
    ),
    Chart(
        "unemployment",
        "Unemployment rates",
        "report/unemployment.sql",
        _unemployment,
        "Load unemployment with Land rows, e.g. 13211-02-05-4.",
    ),
)


def title(groups: Sequence[Group]) -> str:
    """`Hessen and Sachsen`, `Hessen, Sachsen and Thüringen`, all sixteen by number, or one against
    the rest (`Thüringen against the other 15 Länder`)."""
    names = [group.name for group in groups]
    if any(group.key == REST for group in groups):
        return " against ".join(names)
    if len(names) == len(LAENDER):
        return "All 16 Länder"
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "No Land"


def _page(sections: list[str], provenance: dict[str, Any], groups: Sequence[Group]) -> str:
    built = provenance["built_at"]
    notice = (
        '<p class="synthetic">This warehouse holds <strong>synthetic</strong> figures generated by demografie '
        "for a demonstration. They are not official statistics.</p>"
        if provenance["synthetic"]
        else ""
    )
    return PAGE.format(
        title=html.escape(title(groups)),
        plotly=get_plotlyjs(),
        map_css=MAP_CSS,
        notice=notice,
        sections="\n".join(sections),
        built=f"{built:%d.%m.%Y %H:%M} UTC" if built else "unknown",
        written=f"{datetime.now(UTC):%d.%m.%Y %H:%M} UTC",
        version=__version__,
        licences=html.escape(provenance["licences"] or "no data"),
    )


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: demography and labour market</title>
<script>{plotly}</script>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
section {{ margin-bottom: 3rem; }} .empty {{ color: #777; font-style: italic; }}
.note {{ color: #555; font-size: .85rem; }}
.synthetic {{ background: #fff3cd; border: 1px solid #e0c36a; padding: .6rem 1rem; }}
footer {{ color: #555; font-size: .85rem; border-top: 1px solid #ddd; padding-top: 1rem; }}
{map_css}
</style></head>
<body>
<h1>{title}: demography and labour market</h1>
{notice}
{sections}
<footer>Warehouse built {built}; report written {written} by demografie {version}. Figures as published by
the statistical offices (current vintage); derived indicators are computed from them as documented in the
data dictionary. Licences: {licences}</footer>
</body></html>
"""

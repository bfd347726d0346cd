"""The commands that show what the warehouse holds: sql, docs, report, geodata and maps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

import demografie.cli.output as output
from demografie.cli.base import (
    HomeOption,
    app,
    fail,
    rebuild_home,
    settings_for,
    stopped,
    unwritable,
    usage_check,
    warehouse_or_exit,
)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse (read-only)")],
    output_format: Annotated[
        output.QueryFormat,
        typer.Option("--format", "-f", help="table for reading; csv, json (one object a line) or markdown to pipe"),
    ] = output.QueryFormat.TABLE,
    home: HomeOption = None,
) -> None:
    """Run a query against the warehouse and print the result."""
    output.print_query(warehouse_or_exit(home), query, None, output_format)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The file to write: .csv, .parquet or .xlsx")],
    relation: Annotated[
        str | None, typer.Argument(help="A relation of the warehouse, e.g. marts.population (or --query)")
    ] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="SQL instead of a relation")] = None,
    state: Annotated[str | None, typer.Option(help="Only this Land (a relation with a state column): 06, 14")] = None,
    where: Annotated[
        str | None, typer.Option(help="Only the rows of this SQL condition, e.g. \"area = 'land'\"")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Write a relation or a query to CSV, Parquet or XLSX (by the suffix of --out). An XLSX gets a
    sheet `sources`: the publishers' tables, their Stand and licence, the census bases, and whether
    the figures are synthetic."""
    from demografie.publish.export import ExportError, relation_query
    from demografie.publish.export import export as write_export

    if (relation is None) == (query is None):
        fail("Error:", "give a relation (e.g. marts.population) or --query SQL, not both", code=2)
    try:
        sql_text = query if query is not None else relation_query(str(relation), state, where)
        if query is not None and (state or where):
            raise ExportError("--state and --where go with a relation; put the condition into --query")
        exported = write_export(warehouse_or_exit(home), sql_text, out)
    except ExportError as exc:
        fail("Not exported:", str(exc))
    said = f"{exported.rows} row(s) written to {exported.path}"
    if exported.sources.synthetic:
        said += " (SYNTHETIC figures, not official statistics)"
    output.line(escape(said))
    if exported.sources.tables:
        output.line(escape(f"from the tables {', '.join(sorted(exported.sources.tables))}"))


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", help="Folder for data-dictionary.md and .html")] = Path("docs/data"),
    home: HomeOption = None,
) -> None:
    """Write the data dictionary (Markdown and HTML) from the warehouse itself."""
    from demografie.publish.dictionary import write_dictionary

    warehouse = warehouse_or_exit(home)
    try:
        written = write_dictionary(warehouse, out)
    except OSError as exc:
        fail("Error:", unwritable(out, exc))
    output.console.print(
        f"{written.relations} relations described in {escape(str(written.markdown))} and {escape(str(written.html))}"
    )


StatesOption = Annotated[
    str | None,
    typer.Option(
        "--states", help="Only these of the warehouse's Länder, by key or name: 14,16 (default: every one it holds)"
    ),
]


def _states(text: str | None, option: str = "--states") -> tuple[str, ...] | None:
    from demografie.laender import UnknownStateError, parse_states

    if text is None:
        return None
    try:
        return parse_states(text)
    except UnknownStateError as exc:
        raise typer.BadParameter(f"{str(exc)!r} is not a Land", param_hint=option) from None


def _one_land(text: str | None) -> str | None:
    keys = _states(text, "--focus")
    if keys is not None and len(keys) != 1:
        raise typer.BadParameter(f"{text!r} names {len(keys)} Länder, not one", param_hint="--focus")
    return keys[0] if keys else None


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write")] = Path("report.html"),
    states: StatesOption = None,
    focus: Annotated[
        str | None, typer.Option("--focus", help="One Land against the others together, e.g. 16 or Thüringen")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Write one self-contained HTML report comparing the warehouse's Länder."""
    from demografie.publish.maps import LandNotHeldError
    from demografie.publish.report import FocusError, write_report

    chosen, one = _states(states), _one_land(focus)
    warehouse = warehouse_or_exit(home)
    try:
        written = write_report(warehouse, out, chosen, one)
    except (LandNotHeldError, FocusError) as exc:
        fail("Error:", str(exc))
    except OSError as exc:
        fail("Error:", unwritable(out, exc))
    output.console.print(f"report {escape(str(written.path))}: {len(written.drawn)} chart(s) drawn")
    for chart in written.empty:
        output.console.print(f"[yellow]no data for chart {escape(repr(chart))}[/] (the report says what to load)")


@app.command()
def geodata(
    file: Annotated[Path | None, typer.Option("--file", help="A saved BKG package: its zip, or the folder")] = None,
    url: Annotated[str | None, typer.Option(help="Download URL (default $DEMOGRAFIE_BKG_URL, else BKG VG1000)")] = None,
    home: HomeOption = None,
) -> None:
    """Fetch BKG's administrative boundaries (VG1000) for the maps, keep them, and rebuild."""
    from demografie.errors import DemografieError
    from demografie.registry import attribution
    from demografie.settings import checked_url
    from demografie.sources.geodata import URL_PREFIX, configured_url, fetch, from_file
    from demografie.tuning import MAX_UNPACKED_BYTES
    from demografie.usecases.geodata import load_geodata
    from demografie.usecases.rebuild import holding

    settings = settings_for(home)
    if url is not None:
        usage_check(checked_url, url, URL_PREFIX, "--url")
    paths = settings.paths
    paths.ensure()
    try:
        with holding(settings, "geodata (command line)"):
            archive = from_file(file) if file else fetch(url or configured_url(settings), settings)
            loaded = load_geodata(paths, archive, int(settings.tuned(MAX_UNPACKED_BYTES)))
            result = rebuild_home(settings)
    except KeyboardInterrupt:
        stopped()
    except (DemografieError, OSError) as exc:
        output.err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    record = loaded.record
    state = "kept" if loaded.written else "already held"
    output.console.print(
        f"{record.product}, Gebietsstand {record.gebietsstand}: {record.regions} Kreise and Länder {state} "
        f"({record.raw_file}); warehouse {result.path} rebuilt"
    )
    output.console.print(f"Attribution on every map: {attribution('bkg', int(record.retrieved_at[:4]))}")


@app.command("map")
def map_command(
    indicator: Annotated[str, typer.Argument(help="An indicator of marts.indicators, e.g. share_65_plus")],
    ref_date: Annotated[datetime | None, typer.Option("--date", help="Reference day (default: the newest)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Writes <out>.html and <out>.svg")] = Path("map"),
    states: StatesOption = None,
    home: HomeOption = None,
) -> None:
    """Draw one indicator of the Länder's Kreise as a map (HTML, and SVG for slides)."""
    from demografie.publish.maps import LandNotHeldError, NoMapError, write_map

    chosen = _states(states)
    try:
        day = ref_date.date() if ref_date else None
        written = write_map(warehouse_or_exit(home), indicator, day, out, chosen)
    except (NoMapError, LandNotHeldError) as exc:
        fail("No map:", str(exc))
    except OSError as exc:
        fail("No map:", unwritable(out.with_suffix(".svg"), exc))
    output.console.print(
        f"map of {escape(indicator)} on {written.chart.ref_date:%d.%m.%Y}: "
        f"{escape(str(written.html))} and {escape(str(written.svg))}"
    )
    for note in written.chart.notes:
        output.console.print(f"[yellow]note:[/] {escape(note)}")

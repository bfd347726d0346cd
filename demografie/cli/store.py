"""The commands that look after the lake and the warehouse: status, build, verify, deliveries, sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

import demografie.cli.output as output
from demografie.cli.base import (
    HomeOption,
    app,
    entries_or_exit,
    fail,
    rebuild_home,
    settings_for,
    stopped,
)
from demografie.cli.output import Column


@app.command()
def verify(home: HomeOption = None) -> None:
    """Check every lake file against the sha256 its commit record keeps (bit rot, a copy cut short);
    exit 1 naming each damaged file and what to do."""
    from demografie.warehouse.build import damaged
    from demografie.warehouse.lake import file_problem, orphan_warning, orphans

    lake = settings_for(home).paths.lake
    entries = entries_or_exit(lake)
    problems = [damaged(e, problem) for e in entries if (problem := file_problem(lake, e))]
    unchecked = sum(1 for e in entries if e.lake_sha256 is None)
    for problem in problems:
        output.err.print(f"[bold red]damaged:[/] {escape(problem)}")
    for key in orphans(lake, entries):
        output.console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")
    checked = len(entries) - unchecked
    output.console.print(escape(f"{checked} lake file(s) of {lake.display} checked: {len(problems)} damaged"))
    if unchecked:
        output.console.print(
            f"{unchecked} file(s) written before their sha256 was kept: only whether they exist was checked "
            "(`demografie build --full` reads them all)"
        )
    if problems:
        raise typer.Exit(1)


@app.command()
def status(home: HomeOption = None) -> None:
    """The last runs, the freshness of every dataset held, and the warehouse's build time and size."""

    settings = settings_for(home)
    paths = settings.paths
    _print_runs(paths)
    _print_server_runs()
    _print_freshness(paths)
    _print_warehouse(paths)
    _print_states(settings)
    output.console.print(f"raw answers and lake: {escape(paths.store.display)}")


def _print_runs(paths: Any) -> None:
    from demografie.usecases.runlog import recent_runs

    columns = [
        Column("flow"),
        Column("started (UTC)"),
        Column("finished", optional=True),
        Column("loaded", justify="right"),
        Column("unchanged", justify="right"),
        Column("failed", justify="right"),
        Column("built"),
    ]
    rows, skipped = [], []
    for run in recent_runs(paths, 10):
        if isinstance(run, str):
            skipped.append(run)
            continue
        failed = run.outcomes.get("failed", 0)
        rows.append(
            [
                escape(str(run.flow)),
                escape(str(run.started_at)[:19].replace("T", " ")),
                escape(str(run.finished_at)[11:19]),
                str(run.outcomes.get("loaded", 0)),
                str(run.outcomes.get("unchanged", 0)),
                f"[red]{failed}[/]" if failed else "0",
                "yes" if run.built else "no",
            ]
        )
    output.line(f"[bold]Last runs[/] in {escape(str(paths.home))}")
    if rows:
        output.show_table(columns, rows)
    else:
        output.line("  none recorded")
    for note in skipped:
        output.console.print(f"[yellow]skipped: {escape(note)}[/]")


def _print_server_runs() -> None:
    from demografie.flows.runs import server_runs

    on_server = server_runs(10)
    if not on_server:
        return
    columns = [Column("flow"), Column("run", optional=True), Column("state"), Column("started (UTC)"), Column("took")]
    rows = [[escape(str(entry[k])) for k in ("flow", "name", "state", "started", "took")] for entry in on_server]
    output.show_table(columns, rows, "Last flow runs on the Prefect server")


def _print_freshness(paths: Any) -> None:
    """meta.freshness of the live warehouse (the view the freshness check reads), and the lake's orphans."""
    import duckdb

    from demografie.warehouse.build import unreadable
    from demografie.warehouse.lake import ManifestError, committed_entries, orphan_warning, orphans
    from demografie.warehouse.sqlfiles import read_sql

    columns = [
        Column("dataset"),
        Column("table", optional=True),
        Column("newest vintage"),
        Column("days", justify="right"),
        Column("due", justify="right", optional=True),
        Column("state"),
    ]
    rows = []
    if paths.warehouse.exists() and not unreadable(paths.warehouse):
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            held = con.execute(read_sql("status/freshness.sql")).fetchall()
        for dataset, table, vintage, fresh_days, age, state in held:
            rows.append(
                [
                    escape(dataset),
                    escape(table),
                    f"{vintage:%Y-%m-%d %H:%M}",
                    str(age),
                    str(fresh_days),
                    STATE_STYLE[state],
                ]
            )
    output.line("[bold]Freshness[/] (days since the newest vintage; due: expected within)")
    if rows:
        output.show_table(columns, rows)
    else:
        output.line("  none: no warehouse to read")
    try:
        entries = committed_entries(paths.lake)
    except ManifestError as exc:
        output.err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        entries = []
    for key in orphans(paths.lake, entries):
        output.console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")


STATE_STYLE = {
    "fresh": "[green]fresh[/]",
    "stale": "[yellow]stale[/]",
    "vintage in the future": "[red]vintage in the future[/]",
}


def _print_warehouse(paths: Any) -> None:
    from demografie.warehouse.build import unreadable

    warehouse = paths.warehouse
    if not warehouse.exists():
        output.console.print(f"[yellow]no warehouse at {escape(str(warehouse))}[/]")
    elif problem := unreadable(warehouse):
        output.console.print(f"[bold red]warehouse damaged:[/] {escape(problem)}")
    else:
        size = warehouse.stat().st_size / 1e6
        built = datetime.fromtimestamp(warehouse.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        output.console.print(f"warehouse {escape(str(warehouse))}: built {built}, {size:.1f} MB")


def _print_states(settings: Any) -> None:
    """The Länder configured, and those the warehouse holds when a build has not caught up yet."""
    import duckdb

    from demografie.laender import LAENDER
    from demografie.publish.maps import held_lands
    from demografie.warehouse.build import unreadable

    output.console.print("Länder: " + ", ".join(f"{key} {LAENDER[key]}" for key in settings.states))
    warehouse = settings.paths.warehouse
    if not warehouse.exists() or unreadable(warehouse):
        return
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            held = tuple(land.key for land in held_lands(con))
        except duckdb.CatalogException:  # a warehouse of a version before meta.states
            return
    if held != tuple(settings.states):
        output.console.print(
            f"[yellow]note:[/] the warehouse holds {', '.join(held)}; the next run or `demografie build` "
            f"builds {', '.join(settings.states)}, the Länder configured"
        )


@app.command()
def build(
    home: HomeOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Compute every table's versions, none copied from the live warehouse")
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Build even from a lake that holds none of the live tables")
    ] = False,
) -> None:
    """Rebuild the warehouse from the lake (no fetching)."""
    from demografie.usecases.rebuild import holding
    from demografie.warehouse.lake import orphan_warning

    settings = settings_for(home)
    try:
        with holding(settings, "build (command line)"):
            result = rebuild_home(settings, full=full, allow_empty=allow_empty)
    except KeyboardInterrupt:
        stopped()
    except Exception as exc:
        output.err.print(f"[bold red]Build failed, the previous warehouse stays live:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    output.console.print(
        f"built {escape(str(result.path))}: {result.current_observations} current observations in {result.split()}"
    )
    output.console.print(escape(result.versioned()))
    for key in result.orphans:
        output.console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")


deliveries_app = typer.Typer(help="The deliveries the lake holds: list them, drop one.", no_args_is_help=True)
app.add_typer(deliveries_app, name="deliveries")


@deliveries_app.command("list")
def deliveries_list(
    table: Annotated[str | None, typer.Option(help="Only this publisher table, e.g. 12411-01-01-4")] = None,
    home: HomeOption = None,
) -> None:
    """Every committed delivery: its id, table, vintage, rows and the raw file it came from."""
    # no column is optional: too narrow a terminal shows each delivery as a block, raw file included
    columns = [
        Column("id"),
        Column("source"),
        Column("table"),
        Column("vintage"),
        Column("rows", justify="right"),
        Column("dates"),
        Column("raw file"),
    ]
    rows = [
        [
            e.content_sha256[:16],
            escape(e.source),
            escape(e.source_table),
            e.vintage[:16].replace("T", " "),
            str(e.rows),
            f"{e.first_ref_date} … {e.last_ref_date}",
            escape(e.raw_file),
        ]
        for e in entries_or_exit(settings_for(home).paths.lake)
        if table is None or e.source_table == table
    ]
    output.show_table(columns, rows, "Deliveries in the lake")


@deliveries_app.command("drop")
def deliveries_drop(
    delivery: Annotated[str, typer.Argument(help="The delivery's id (or its start) from `deliveries list`")],
    home: HomeOption = None,
) -> None:
    """Remove one delivery from the lake and rebuild the warehouse without it; its raw file stays in
    raw/, so `demografie ingest` can load it again."""
    from demografie.errors import DemografieError
    from demografie.usecases.rebuild import holding
    from demografie.warehouse.lake import DeliveryNotFoundError, drop_delivery, find_delivery

    settings = settings_for(home)
    paths = settings.paths
    with holding(settings, "deliveries drop (command line)"):
        try:
            entry = find_delivery(paths.lake, delivery)
            drop_delivery(paths.lake, entry)
        except DeliveryNotFoundError as exc:
            fail("Error:", str(exc), code=2)
        except DemografieError as exc:
            fail("Not dropped:", str(exc))
        output.console.print(
            escape(
                f"dropped {entry.content_sha256[:16]}: {entry.source_table}, vintage {entry.vintage}, "
                f"{entry.rows} rows (its raw file {entry.raw_file} stays; a later run does not load it again)"
            )
        )
        try:  # dropping the last delivery of the last table empties the warehouse on purpose
            result = rebuild_home(settings, allow_empty=True)
        except KeyboardInterrupt:
            stopped()
        except Exception as exc:
            output.err.print(
                "[bold red]The delivery is dropped, but the warehouse could not be rebuilt; the previous one "
                f"stays live:[/] {escape(str(exc))} (`demografie build` tries again)"
            )
            raise typer.Exit(1) from None
    output.console.print(f"built {escape(str(result.path))}: {result.current_observations} current observations")


@app.command()
def sources(home: HomeOption = None) -> None:
    """List every dataset: its publisher table, route, coverage, and the newest vintage we hold."""
    from demografie import catalog
    from demografie.warehouse.lake import holdings

    settings = settings_for(home)
    held = holdings(entries_or_exit(settings.paths.lake))
    columns = [
        Column("dataset"),
        Column("publisher", optional=True),
        Column("table"),
        Column("route", optional=True),
        Column("level", optional=True),
        Column("coverage", optional=True),
        Column("held"),
        Column("vintage"),
    ]
    by_topic: dict[str, list[list[str]]] = {}
    for d in sorted(catalog.of(settings).datasets, key=lambda d: (d.topic, d.precedence, d.name)):
        holding = held.get((d.source, d.table))
        by_topic.setdefault(d.topic, []).append(
            [
                escape(d.name),
                escape(d.source),
                escape(d.table),
                "nightly" if d.access is catalog.Access.API else "ingest",
                escape(d.level),
                escape(d.coverage),
                f"{holding.first_ref_date[:4]}–{holding.last_ref_date[:4]}" if holding else "–",
                holding.latest_vintage[:16].replace("T", " ") if holding else "–",
            ]
        )
    for topic, rows in by_topic.items():
        output.show_table(columns, rows, escape(topic.upper()))
    output.line("[dim]route: nightly = fetched by `demografie run` over the GENESIS API;[/]")
    output.line("[dim]       ingest = a publication you save and load with `demografie ingest`.[/]")


@app.command()
def find(
    words: Annotated[list[str], typer.Argument(help="Words of the title or the start of a code, e.g. Pflege Kreise")],
    live: Annotated[
        bool, typer.Option("--live", help="Ask each GENESIS publisher with credentials (find/find) instead")
    ] = False,
    publisher: Annotated[str | None, typer.Option(help="Only this publisher: regio, destatis or zensus")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many tables")] = 30,
    home: HomeOption = None,
) -> None:
    """Search the publishers' tables by words of their title or code, and say which ones the
    catalog already harmonises and how to add another to the user catalog."""
    from demografie import catalog
    from demografie.reference import CATALOGUES
    from demografie.settings import USER_CATALOG
    from demografie.usecases.find import catalog_entry, find_live, find_offline

    if publisher is not None and publisher not in CATALOGUES:
        fail("Error:", f"--publisher {publisher}: one of {', '.join(CATALOGUES)}", code=2)
    settings = settings_for(home)
    known = catalog.of(settings)
    if live:
        from demografie.flows.tasks import credentials_lookup

        found = find_live(words, settings, known, credentials_lookup, publisher)
    else:
        found = find_offline(words, known, publisher)
    for note in found.notes:
        output.line(f"[yellow]{escape(note)}[/]")
    output.line(escape(f"{len(found.hits)} table(s) in {found.searched} match {' '.join(words)!r}"))
    for hit in found.hits[:limit]:
        held = f"in the catalog as {hit.dataset}" if hit.dataset else "not in the catalog"
        output.line(f"[bold]{escape(hit.publisher)} {escape(hit.code)}[/]  {escape(hit.time or '-')}  {escape(held)}")
        output.line(f"  {escape(hit.title)}")
    if len(found.hits) > limit:
        output.line(f"[dim]… and {len(found.hits) - limit} more: more words narrow it, --limit shows more[/]")
    missing = next((hit for hit in found.hits[:limit] if hit.dataset is None), None)
    if missing is not None:
        # the user catalog this home reads ($DEMOGRAFIE_CATALOG), else where it would find one
        user_catalog = escape(str(settings.catalog or settings.paths.home / USER_CATALOG))
        output.line(f"\nTo load {escape(missing.code)} as published, add to {user_catalog}:")
        output.console.print(catalog_entry(missing), markup=False, highlight=False, soft_wrap=True)

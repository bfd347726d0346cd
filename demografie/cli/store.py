"""The commands that look after the lake and the warehouse: status, build, verify, deliveries, sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

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

    paths = settings_for(home).paths
    _print_runs(paths)
    _print_server_runs()
    _print_freshness(paths)
    _print_warehouse(paths)
    output.console.print(f"raw answers and lake: {escape(paths.store.display)}")


def _print_runs(paths: Any) -> None:
    from demografie.usecases.runlog import recent_runs

    runs = Table(title=escape(f"Last runs in {paths.home}"))
    for column in ("flow", "started (UTC)", "finished", "loaded", "unchanged", "failed", "built"):
        runs.add_column(column)
    skipped = []
    for run in recent_runs(paths, 10):
        if isinstance(run, str):
            skipped.append(run)
            continue
        failed = run.outcomes.get("failed", 0)
        runs.add_row(
            str(run.flow),
            str(run.started_at),
            str(run.finished_at)[11:19],
            str(run.outcomes.get("loaded", 0)),
            str(run.outcomes.get("unchanged", 0)),
            f"[red]{failed}[/]" if failed else "0",
            "yes" if run.built else "no",
        )
    output.console.print(runs)
    for note in skipped:
        output.console.print(f"[yellow]skipped: {escape(note)}[/]")


def _print_server_runs() -> None:
    from demografie.flows.runs import server_runs

    on_server = server_runs(10)
    if not on_server:
        return
    table = Table(title="Last flow runs on the Prefect server")
    for column in ("flow", "run", "state", "started (UTC)", "took"):
        table.add_column(column)
    for entry in on_server:
        table.add_row(*(escape(str(entry[k])) for k in ("flow", "name", "state", "started", "took")))
    output.console.print(table)


def _print_freshness(paths: Any) -> None:
    """meta.freshness of the live warehouse (the view the freshness check reads), and the lake's orphans."""
    import duckdb

    from demografie.warehouse.build import unreadable
    from demografie.warehouse.lake import ManifestError, committed_entries, orphan_warning, orphans
    from demografie.warehouse.sqlfiles import read_sql

    fresh = Table(title="Freshness of the datasets held")
    for column in ("dataset", "table", "newest vintage", "age (days)", "expected within", "state"):
        fresh.add_column(column)
    if paths.warehouse.exists() and not unreadable(paths.warehouse):
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            held = con.execute(read_sql("status/freshness.sql")).fetchall()
        for dataset, table, vintage, fresh_days, age, state in held:
            fresh.add_row(
                escape(dataset),
                escape(table),
                f"{vintage:%Y-%m-%d %H:%M}",
                str(age),
                str(fresh_days),
                STATE_STYLE[state],
            )
    output.console.print(fresh)
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
    listing = Table(title="Deliveries in the lake")
    for column in ("id", "source", "table", "vintage", "rows", "dates", "raw file"):
        listing.add_column(column, overflow="fold")
    for e in entries_or_exit(settings_for(home).paths.lake):
        if table is None or e.source_table == table:
            listing.add_row(
                e.content_sha256[:16],
                escape(e.source),
                escape(e.source_table),
                e.vintage[:16].replace("T", " "),
                str(e.rows),
                f"{e.first_ref_date} … {e.last_ref_date}",
                escape(e.raw_file),
            )
    output.console.print(listing)


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
    table = Table(title="Datasets and their publisher tables")
    for column in ("dataset", "publisher table", "route", "level", "coverage", "held", "vintage"):
        table.add_column(column, no_wrap=column == "dataset", overflow="fold")
    topic = None
    for d in sorted(catalog.of(settings).datasets, key=lambda d: (d.topic, d.precedence, d.name)):
        if d.topic != topic:
            if topic is not None:
                table.add_section()
            topic = d.topic
            table.add_row(f"[bold]{topic.upper()}[/]")
        holding = held.get((d.source, d.table))
        table.add_row(
            escape(d.name),
            escape(f"{d.source} {d.table}"),
            "nightly" if d.access is catalog.Access.API else "ingest",
            d.level,
            d.coverage,
            f"{holding.first_ref_date[:4]}–{holding.last_ref_date[:4]}" if holding else "[dim]–[/]",
            holding.latest_vintage[:16].replace("T", " ") if holding else "[dim]–[/]",
        )
    output.console.print(table)
    output.console.print(
        "[dim]route: nightly = fetched by `demografie run` over the GENESIS API; ingest = a publication or web "
        "download you save and load with `demografie ingest`.[/]"
    )

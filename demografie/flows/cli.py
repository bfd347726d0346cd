"""The `demografie` command."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from demografie.settings import Settings

app = typer.Typer(
    help="Official population and labour-market statistics for Hessen and Sachsen.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data home (raw/, lake/, warehouse); default $DEMOGRAFIE_HOME or ./data")
]
DEMO_HOME = Path("demo-data")


class _Process:
    """What main() knows of this process: that it is a real command (not a test's CliRunner) and
    the watcher of its children, once started."""

    from_main = False
    watcher: object | None = None


def main() -> None:
    from demografie.flows.reaper import shutdown_on_sigterm

    shutdown_on_sigterm()
    _Process.from_main = True
    # Prefect's own log lines would drown the progress lines; warnings and errors still show.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from demografie.catalog import CatalogError
    from demografie.settings import HomeError

    try:
        app()
    except (HomeError, CatalogError) as exc:  # said by a command before any run starts
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise SystemExit(2) from None


def _progress(step: str, detail: str) -> None:
    style = {"failed": "bold red", "loaded": "green", "unchanged": "dim", "built": "bold green"}
    console.print(f"[{style.get(step, 'cyan')}]{step:>9}[/] {escape(detail)}")


class _NoTracebacks(logging.Filter):
    """On the terminal a failure is its message; the traceback stays in Prefect's run log (the
    API handler) and comes to the terminal with DEMOGRAFIE_DEBUG=1."""

    # the engine's own reports of a failure, which the closing "Error:" line says once
    ENGINE_FAILURES = ("Task run failed with exception", "Finished in state Failed", "Encountered exception")

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return not (record.levelno >= logging.ERROR and str(record.msg).startswith(self.ENGINE_FAILURES))


def _quiet_tracebacks(debug: bool) -> None:
    if debug:
        return
    for handler in logging.getLogger().handlers:  # Prefect's console handler sits on the root logger
        if type(handler).__name__ == "PrefectConsoleHandler" and not any(
            isinstance(f, _NoTracebacks) for f in handler.filters
        ):
            handler.addFilter(_NoTracebacks())


def _run(flow: Any, **parameters: Any) -> Any:
    from demografie.errors import DemografieError
    from demografie.flows import progress
    from demografie.flows.runs import RunFailedError
    from demografie.redact import redact

    settings = _settings(parameters.get("home"))
    _watch_children()
    _quiet_tracebacks(settings.debug)
    progress.subscribe(_progress)
    try:
        return flow(**parameters)
    except KeyboardInterrupt:
        _stopped()
    except RunFailedError as exc:
        _print_summary(exc.summary)
        err.print(f"[bold red]Run failed.[/] {escape(redact(str(exc)))}")
        raise typer.Exit(1) from None
    except DemografieError as exc:
        err.print(f"[bold red]Error:[/] {escape(redact(str(exc)))}")
        raise typer.Exit(1) from None
    except Exception as exc:  # not one of ours: a bug, or a failure of the machine (disk, memory)
        err.print(
            f"[bold red]Error:[/] {escape(redact(f'{type(exc).__name__}: {exc}'))} (unexpected: DEMOGRAFIE_DEBUG=1 "
            "shows where; please report it if it is not the machine's fault)"
        )
        raise typer.Exit(1) from None
    finally:
        progress.unsubscribe(_progress)


def _fail(heading: str, message: str, code: int = 1) -> NoReturn:
    """A command's failure said in one line (the message escaped: it may quote user texts), no traceback."""
    err.print(f"[bold red]{heading}[/] {escape(message)}")
    raise typer.Exit(code)


def _stopped() -> NoReturn:
    """Ctrl-C or SIGTERM (which unwinds like it): said once, exit 130."""
    err.print("[bold red]Stopped.[/] The lake holds only whole deliveries; the previous warehouse stays live.")
    raise typer.Exit(130)


def _watch_children() -> None:
    """Prefect's temporary server must not outlive a command killed by SIGKILL (see reaper)."""
    from demografie.flows.reaper import watch_children

    if _Process.from_main and _Process.watcher is None:
        _Process.watcher = watch_children()


def _settings(home: str | Path | None) -> Settings:
    """The environment read once for this command and checked before anything starts (a wrong
    value is a usage error naming the variable); the catalog takes the user catalog it names."""
    from demografie import catalog
    from demografie.settings import Settings

    def read() -> Settings:
        settings = Settings.from_env(home)
        catalog.use(settings)
        return settings

    return cast("Settings", _usage_check(read))


def _usage_check(check: Any, *args: Any) -> Any:
    """A wrong option value is a usage error (exit 2), said before anything starts."""
    try:
        return check(*args)
    except ValueError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


@app.command()
def run(
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", "-d", help="Dataset name or table code (repeatable)")
    ] = None,
    from_year: Annotated[int | None, typer.Option(help="First year to fetch")] = None,
    to_year: Annotated[int | None, typer.Option(help="Last year to fetch")] = None,
    home: HomeOption = None,
) -> None:
    """Fetch the tables from the publishers' GENESIS APIs and rebuild the warehouse."""
    from demografie import catalog
    from demografie.flows.nightly import nightly
    from demografie.flows.runs import check_years
    from demografie.sources.credentials import Credentials, CredentialsError
    from demografie.sources.publishers import PUBLISHERS

    _usage_check(check_years, from_year, to_year)
    _settings(home)
    try:
        chosen = catalog.select(dataset)
    except catalog.UnknownDatasetError as exc:
        err.print(f"[bold red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from None
    for d in chosen:
        if d not in catalog.DATASETS:
            console.print(f"[yellow]note:[/] {escape(d.table)}: {catalog.UNCATALOGUED}")
    needed = sorted({d.source for d in chosen if d.access is catalog.Access.API})
    try:
        missing = [PUBLISHERS[key] for key in needed if Credentials.from_env(PUBLISHERS[key].env_prefix) is None]
    except CredentialsError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    for publisher in missing:
        err.print(
            f"[bold red]No credentials for {publisher.name}.[/] Register for free at {publisher.signup_url}, then set "
            f"{publisher.env_prefix}_USERNAME and {publisher.env_prefix}_PASSWORD (or {publisher.env_prefix}_TOKEN)."
        )
    if missing and len(missing) == len(needed):
        err.print(
            "To try the pipeline without an account: make demo (or: demografie demo). Saxony's web downloads "
            "need no account: demografie run -d deaths_gemeinden_sn."
        )
        raise typer.Exit(2)
    summary = _run(nightly, datasets=dataset, from_year=from_year, to_year=to_year, home=str(home) if home else None)
    _print_summary(summary)


@app.command()
def demo(
    home: Annotated[Path, typer.Option("--home", help="Where the demo writes its data")] = DEMO_HOME,
    from_year: Annotated[int, typer.Option(help="First year of the synthetic snapshot")] = 2015,
    to_year: Annotated[int, typer.Option(help="Last year of the synthetic snapshot")] = date.today().year - 1,
) -> None:
    """Run the nightly flow end to end against a local GENESIS server with SYNTHETIC figures."""
    from demografie.devserver.server import GenesisServer
    from demografie.devserver.synthetic import SNAPSHOT_DATASETS, snapshot_variables, write_snapshot
    from demografie.flows.nightly import nightly

    console.print(
        "[bold yellow]Demo: real region codes and names, SYNTHETIC figures "
        "(generated by demografie, labelled synthetic in the warehouse).[/]"
    )
    with tempfile.TemporaryDirectory(prefix="demografie-publisher-") as snapshot:
        write_snapshot(Path(snapshot), from_year, to_year)
        with GenesisServer(Path(snapshot), "demo", "demo") as server, _environment(snapshot_variables(server.base_url)):
            console.print(f"local GENESIS server: {server.base_url}")
            summary = _run(
                nightly,
                datasets=list(SNAPSHOT_DATASETS),
                from_year=from_year,
                to_year=to_year,
                home=str(home),
                synthetic=True,
            )
    _print_summary(summary)
    # a second demo finds nothing newer ("unchanged"), builds nothing, and shows the same warehouse
    warehouse = _settings(home).paths.warehouse
    _print_query(warehouse, _DEMO_QUERY, "Land totals (synthetic), latest date")
    console.print(
        f"\nWarehouse: [bold]{escape(str(warehouse))}[/]\n"
        + escape(
            f'Query it:  demografie sql --home {home} "SELECT * FROM marts.state_comparison"\n'
            f"       or: duckdb -readonly {warehouse}\n"
            f"Describe it: demografie docs --home {home}   Chart it: demografie report --home {home}"
        )
    )


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set for the block, and the environment as it was after it."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_DEMO_QUERY = """
SELECT dataset, ref_date, sex, nationality, hessen, hessen_derivation, sachsen, sachsen_derivation, synthetic
FROM marts.state_comparison
WHERE ref_date = (SELECT max(ref_date) FROM marts.state_comparison s WHERE s.dataset = state_comparison.dataset)
  AND age_from IS NULL AND age_to IS NULL AND core.schema_breakdown(source_dims)
ORDER BY dataset, nationality, sex
"""


@app.command()
def backfill(
    from_year: Annotated[int, typer.Option(help="First year to fetch")],
    to_year: Annotated[int, typer.Option(help="Last year to fetch")],
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", "-d", help="Dataset name or table code (repeatable)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Ask the publisher again even for chunks already held")] = False,
    home: HomeOption = None,
) -> None:
    """Fetch a range of years, chunk by chunk; a second run fetches only what is still missing."""
    from demografie.flows.backfill import backfill as backfill_flow
    from demografie.flows.runs import check_years

    _usage_check(check_years, from_year, to_year)

    summary = _run(
        backfill_flow,
        from_year=from_year,
        to_year=to_year,
        datasets=dataset,
        force=force,
        home=str(home) if home else None,
    )
    _print_summary(summary)


@app.command()
def deploy(
    work_pool: Annotated[str, typer.Option(help="The process work pool the deployments go to")] = "demografie",
) -> None:
    """Register the deployments of prefect.yaml on the configured Prefect server (PREFECT_API_URL),
    with the work pool and the publishers' global concurrency limits."""
    from demografie.flows.deploy import DeployError, register

    try:
        registered = register(work_pool=work_pool)
    except DeployError as exc:
        err.print(f"[bold red]Not deployed:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    for created in registered.created:
        console.print(f"created {escape(str(created))}")
    console.print(
        f"deployments nightly, backfill and ingest registered on {registered.api_url}\n"
        f"start a worker: prefect worker start --pool {registered.work_pool}"
    )


@app.command()
def serve() -> None:
    """Run the nightly (02:00 Europe/Berlin), backfill and ingest deployments from this process."""
    from demografie.flows.deploy import serve as serve_deployments

    serve_deployments()


@app.command()
def verify(home: HomeOption = None) -> None:
    """Check every lake file against the sha256 its commit record keeps (bit rot, a copy cut short);
    exit 1 naming each damaged file and what to do."""
    from demografie.warehouse.build import damaged
    from demografie.warehouse.lake import file_problem, orphan_warning, orphans

    lake = _settings(home).paths.lake
    entries = _entries_or_exit(lake)
    problems = [damaged(e, problem) for e in entries if (problem := file_problem(lake, e))]
    unchecked = sum(1 for e in entries if e.lake_sha256 is None)
    for problem in problems:
        err.print(f"[bold red]damaged:[/] {escape(problem)}")
    for key in orphans(lake, entries):
        console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")
    checked = len(entries) - unchecked
    console.print(escape(f"{checked} lake file(s) of {lake.display} checked: {len(problems)} damaged"))
    if unchecked:
        console.print(
            f"{unchecked} file(s) written before their sha256 was kept: only whether they exist was checked "
            "(`demografie build --full` reads them all)"
        )
    if problems:
        raise typer.Exit(1)


@app.command()
def status(home: HomeOption = None) -> None:
    """The last runs, the freshness of every dataset held, and the warehouse's build time and size."""

    paths = _settings(home).paths
    _print_runs(paths)
    _print_server_runs()
    _print_freshness(paths)
    _print_warehouse(paths)
    console.print(f"raw answers and lake: {escape(paths.store.display)}")


def _print_runs(paths: Any) -> None:
    from demografie.flows.runs import recent_runs

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
    console.print(runs)
    for note in skipped:
        console.print(f"[yellow]skipped: {escape(note)}[/]")


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
    console.print(table)


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
    console.print(fresh)
    try:
        entries = committed_entries(paths.lake)
    except ManifestError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        entries = []
    for key in orphans(paths.lake, entries):
        console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")


STATE_STYLE = {
    "fresh": "[green]fresh[/]",
    "stale": "[yellow]stale[/]",
    "vintage in the future": "[red]vintage in the future[/]",
}


def _print_warehouse(paths: Any) -> None:
    from demografie.warehouse.build import unreadable

    warehouse = paths.warehouse
    if not warehouse.exists():
        console.print(f"[yellow]no warehouse at {escape(str(warehouse))}[/]")
    elif problem := unreadable(warehouse):
        console.print(f"[bold red]warehouse damaged:[/] {escape(problem)}")
    else:
        size = warehouse.stat().st_size / 1e6
        built = datetime.fromtimestamp(warehouse.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        console.print(f"warehouse {escape(str(warehouse))}: built {built}, {size:.1f} MB")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Flat files (ffcsv, zipped or not) downloaded from GENESIS")],
    table: Annotated[str | None, typer.Option(help="Table code, when the file name does not carry it")] = None,
    vintage: Annotated[datetime | None, typer.Option(help="The table's Stand, e.g. 2025-03-31T11:18:07")] = None,
    keep_going: Annotated[
        bool, typer.Option(help="Load the good files of a batch, report the bad (default: one bad file loads none)")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Load files downloaded by hand through the same normalise -> lake -> warehouse path. Every file
    is read and checked before any is landed or committed."""
    from demografie.flows.ingest import ingest as ingest_flow

    summary = _run(
        ingest_flow,
        files=[str(f) for f in files],
        table=table,
        vintage=vintage,
        keep_going=keep_going,
        home=str(home) if home else None,
    )
    _print_summary(summary)


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
    from demografie.warehouse.lake import orphan_warning
    from demografie.warehouse.lock import writer_lock

    settings = _settings(home)
    paths = settings.paths
    try:
        with writer_lock(paths.home, "build (command line)", wait_seconds=settings.lock_wait_seconds):
            result = _rebuild(settings, full=full, allow_empty=allow_empty)
    except KeyboardInterrupt:
        _stopped()
    except Exception as exc:
        err.print(f"[bold red]Build failed, the previous warehouse stays live:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(
        f"built {escape(str(result.path))}: {result.current_observations} current observations in {result.split()}"
    )
    console.print(escape(result.versioned()))
    for key in result.orphans:
        console.print(f"[yellow]warning:[/] {escape(orphan_warning(key))}")


@app.command()
def geodata(
    file: Annotated[Path | None, typer.Option("--file", help="A saved BKG package: its zip, or the folder")] = None,
    url: Annotated[str | None, typer.Option(help="Download URL (default $DEMOGRAFIE_BKG_URL, else BKG VG1000)")] = None,
    home: HomeOption = None,
) -> None:
    """Fetch BKG's administrative boundaries (VG1000) for the maps, keep them, and rebuild."""
    from demografie.errors import DemografieError
    from demografie.settings import checked_url
    from demografie.sources.geodata import URL_PREFIX, configured_url, fetch, from_file
    from demografie.tuning import MAX_UNPACKED_BYTES
    from demografie.usecases.geodata import load_geodata
    from demografie.warehouse.lock import writer_lock

    settings = _settings(home)
    if url is not None:
        _usage_check(checked_url, url, URL_PREFIX, "--url")
    paths = settings.paths
    paths.ensure()
    try:
        with writer_lock(paths.home, "geodata (command line)", wait_seconds=settings.lock_wait_seconds):
            archive = from_file(file) if file else fetch(url or configured_url(settings), settings)
            loaded = load_geodata(paths, archive, int(settings.tuned(MAX_UNPACKED_BYTES)))
            result = _rebuild(settings)
    except KeyboardInterrupt:
        _stopped()
    except (DemografieError, OSError) as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    record = loaded.record
    state = "kept" if loaded.written else "already held"
    console.print(
        f"{record.product}, Gebietsstand {record.gebietsstand}: {record.regions} Kreise and Länder {state} "
        f"({record.raw_file}); warehouse {result.path} rebuilt"
    )
    console.print(f"Attribution on every map: © BKG ({record.retrieved_at[:4]}) dl-de/by-2-0")


@app.command("map")
def map_command(
    indicator: Annotated[str, typer.Argument(help="An indicator of marts.indicators, e.g. share_65_plus")],
    ref_date: Annotated[datetime | None, typer.Option("--date", help="Reference day (default: the newest)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Writes <out>.html and <out>.svg")] = Path("map"),
    home: HomeOption = None,
) -> None:
    """Draw one indicator of both states' Kreise as a map (HTML, and SVG for slides)."""
    from demografie.publish.maps import NoMapError, write_map

    try:
        written = write_map(_warehouse_or_exit(home), indicator, ref_date.date() if ref_date else None, out)
    except NoMapError as exc:
        _fail("No map:", str(exc))
    except OSError as exc:
        _fail("No map:", _unwritable(out.with_suffix(".svg"), exc))
    console.print(
        f"map of {escape(indicator)} on {written.chart.ref_date:%d.%m.%Y}: "
        f"{escape(str(written.html))} and {escape(str(written.svg))}"
    )
    for note in written.chart.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")


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
    for e in _entries_or_exit(_settings(home).paths.lake):
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
    console.print(listing)


def _rebuild(settings: Settings, full: bool = False, allow_empty: bool = False) -> Any:
    """usecases.rebuild for a command: deliveries of a changed catalog entry normalised again (and
    said), then the warehouse built and swapped in; called with the home held."""
    from demografie import catalog
    from demografie.usecases.rebuild import rebuild

    rebuilt = rebuild(
        settings.paths,
        catalog.DATASETS,
        sorted(catalog.STATES),
        settings.build_memory_mb,
        settings.max_unpacked_bytes,
        full=full,
        allow_empty=allow_empty,
    )
    for note in rebuilt.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    return rebuilt.result


def _unwritable(target: Path, exc: OSError) -> str:
    """Why a file the user asked for cannot be written (a missing folder, no permission, a full disk)."""
    at = f": {exc.filename}" if exc.filename and str(exc.filename) != str(target) else ""
    return f"cannot write {target}: {exc.strerror or exc}{at} (--out names where the files go)"


def _entries_or_exit(lake: Any) -> list[Any]:
    """The lake's commit records, or the damaged one named (exit 1) instead of a traceback."""
    from demografie.warehouse.lake import ManifestError, committed_entries

    try:
        return committed_entries(lake)
    except ManifestError as exc:
        _fail("Error:", str(exc))


@deliveries_app.command("drop")
def deliveries_drop(
    delivery: Annotated[str, typer.Argument(help="The delivery's id (or its start) from `deliveries list`")],
    home: HomeOption = None,
) -> None:
    """Remove one delivery from the lake and rebuild the warehouse without it; its raw file stays in
    raw/, so `demografie ingest` can load it again."""
    from demografie.errors import DemografieError
    from demografie.warehouse.lake import DeliveryNotFoundError, drop_delivery, find_delivery
    from demografie.warehouse.lock import writer_lock

    settings = _settings(home)
    paths = settings.paths
    with writer_lock(paths.home, "deliveries drop (command line)", wait_seconds=settings.lock_wait_seconds):
        try:
            entry = find_delivery(paths.lake, delivery)
            drop_delivery(paths.lake, entry)
        except DeliveryNotFoundError as exc:
            _fail("Error:", str(exc), code=2)
        except DemografieError as exc:
            _fail("Not dropped:", str(exc))
        console.print(
            escape(
                f"dropped {entry.content_sha256[:16]}: {entry.source_table}, vintage {entry.vintage}, "
                f"{entry.rows} rows (its raw file {entry.raw_file} stays; a later run does not load it again)"
            )
        )
        try:  # dropping the last delivery of the last table empties the warehouse on purpose
            result = _rebuild(settings, allow_empty=True)
        except KeyboardInterrupt:
            _stopped()
        except Exception as exc:
            err.print(
                "[bold red]The delivery is dropped, but the warehouse could not be rebuilt; the previous one "
                f"stays live:[/] {escape(str(exc))} (`demografie build` tries again)"
            )
            raise typer.Exit(1) from None
    console.print(f"built {escape(str(result.path))}: {result.current_observations} current observations")


@app.command()
def sources(home: HomeOption = None) -> None:
    """List every dataset: its publisher table, route, coverage, and the newest vintage we hold."""
    from demografie import catalog
    from demografie.warehouse.lake import holdings

    held = holdings(_entries_or_exit(_settings(home).paths.lake))
    table = Table(title="Datasets and their publisher tables")
    for column in ("dataset", "publisher table", "route", "level", "coverage", "held", "vintage"):
        table.add_column(column, no_wrap=column == "dataset", overflow="fold")
    topic = None
    for d in sorted(catalog.DATASETS, key=lambda d: (d.topic, d.precedence, d.name)):
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
    console.print(table)
    console.print(
        "[dim]route: nightly = fetched by `demografie run` over the GENESIS API; ingest = a publication or web "
        "download you save and load with `demografie ingest`.[/]"
    )


@app.command("check-access")
def check_access(home: HomeOption = None) -> None:
    """Ask each GENESIS publisher's logincheck whether its address answers and accepts the
    credentials (read as the nightly run reads them; never printed)."""
    from demografie.flows.tasks import credentials_lookup
    from demografie.usecases.access import check_access as check

    reports = check(_settings(home), credentials_lookup)
    for report in reports:
        verdict = {True: "ok", False: "FAILED", None: "not checked"}[report.ok]
        # plain lines: an address or a variable is never cut or wrapped by a table
        print(f"{report.publisher}: {verdict} ({report.name})")
        print(f"  address:     {report.address} ({report.address_from})")
        print(f"  credentials: {report.credentials_from}")
        print(f"  {report.verdict}")
    if any(report.ok is False for report in reports):
        raise typer.Exit(1)


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", help="Folder for data-dictionary.md and .html")] = Path("docs/data"),
    home: HomeOption = None,
) -> None:
    """Write the data dictionary (Markdown and HTML) from the warehouse itself."""
    from demografie.publish.dictionary import write_dictionary

    warehouse = _warehouse_or_exit(home)
    try:
        written = write_dictionary(warehouse, out)
    except OSError as exc:
        _fail("Error:", _unwritable(out, exc))
    console.print(
        f"{written.relations} relations described in {escape(str(written.markdown))} and {escape(str(written.html))}"
    )


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write")] = Path("report.html"),
    home: HomeOption = None,
) -> None:
    """Write one self-contained HTML report with charts of both Länder."""
    from demografie.publish.report import write_report

    warehouse = _warehouse_or_exit(home)
    try:
        written = write_report(warehouse, out)
    except OSError as exc:
        _fail("Error:", _unwritable(out, exc))
    console.print(f"report {escape(str(written.path))}: {len(written.drawn)} chart(s) drawn")
    for chart in written.empty:
        console.print(f"[yellow]no data for chart {escape(repr(chart))}[/] (the report says what to load)")


def _warehouse_or_exit(home: Path | None) -> Path:
    from demografie.warehouse.build import unreadable

    warehouse = _settings(home).paths.warehouse
    if not warehouse.exists():
        err.print(f"[bold red]No warehouse at {escape(str(warehouse))}.[/] Run `demografie run` or `make demo` first.")
        raise typer.Exit(2)
    if problem := unreadable(warehouse):
        err.print(f"[bold red]Error:[/] {escape(problem)}")
        raise typer.Exit(1)
    return warehouse


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse (read-only)")],
    home: HomeOption = None,
) -> None:
    """Run a query against the warehouse and print the result."""
    _print_query(_warehouse_or_exit(home), query, None)


QUERY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "lock_configuration": True,
}


def _print_query(warehouse: Path, query: str, title: str | None) -> None:
    import duckdb

    try:
        # read-only is for DuckDB's catalog; COPY ... TO, ATTACH and read_csv still reach files, so
        # a query typed here gets no file system at all (and cannot switch it back on)
        with duckdb.connect(str(warehouse), read_only=True, config=QUERY_CONFIG) as con:
            relation = con.sql(query)
            if relation is None:
                return
            columns, rows = relation.columns, relation.fetchall()
    except duckdb.Error as exc:
        err.print(f"[bold red]Query failed:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    table = Table(title=escape(title) if title else None, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
    console.print(f"[dim]{len(rows)} row(s)[/]")


def _cell(value: object) -> str:
    if value is None:
        return "[dim]NULL[/]"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return escape(str(value))


def _print_summary(summary: Any) -> None:
    table = Table(title=escape(f"Load {summary.load_id}"))
    for column in ("dataset", "table", "outcome", "observations", "dates", "vintage", "message"):
        table.add_column(column)
    for t in summary.tables:
        dates = f"{t.first_date} … {t.last_date}" if t.first_date else ""
        table.add_row(
            *(escape(str(c)) for c in (t.dataset, t.table, t.outcome, t.rows, dates, t.vintage, t.message[:80]))
        )
    console.print(table)
    if summary.build is not None:
        console.print(
            f"warehouse {escape(str(summary.build.warehouse))}: {summary.build.current_observations} "
            f"current observations from {summary.build.deliveries} deliveries"
        )
        for warning in summary.build.warnings:
            console.print(f"[yellow]warning:[/] {escape(warning)}")


if __name__ == "__main__":
    main()

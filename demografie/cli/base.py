"""What every command shares: the app, the data home option, reading the settings, running a flow
and saying how it ended.

The commands import what they use inside their bodies, once here for all: `demografie --help` and a
usage error then answer without importing Prefect, DuckDB or pyarrow (seconds on a cold start)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar, cast

import typer
from rich.markup import escape

import demografie.cli.output as output

if TYPE_CHECKING:
    from demografie.settings import Settings

app = typer.Typer(
    help="Official population and labour-market statistics for Hessen and Sachsen.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_CODES = "exit codes: 0 done, 1 failed, 2 wrong usage or settings, 130 stopped (Ctrl-C, SIGTERM)"


def versions() -> list[str]:
    """demografie's version and those of the parts that decide its results."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from demografie import __version__

    found = [f"demografie {__version__}"]
    for package in ("duckdb", "prefect", "pyarrow", "openpyxl"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} not installed")
    return [*found, f"Python {platform.python_version()}"]


def _print_version(asked: bool) -> None:
    if asked:
        for entry in versions():
            output.line(entry)
        raise typer.Exit()


@app.callback(epilog=EXIT_CODES)
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the versions and exit."),
    ] = False,
) -> None:
    """Official population and labour-market statistics for Hessen and Sachsen."""


P = ParamSpec("P")
R = TypeVar("R")
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Data home (raw/, lake/, warehouse); default $DEMOGRAFIE_HOME or ./data")
]


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
        output.err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise SystemExit(2) from None


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


def run_flow(flow: Callable[P, R], *args: P.args, **parameters: P.kwargs) -> R:
    """Run `flow` with the command's parameters (its `home` among them) and say how it ended: a
    summary, `Stopped.` (exit 130), or the failure in one line (exit 1), never a traceback."""
    from demografie import progress
    from demografie.errors import DemografieError
    from demografie.flows.runs import RunFailedError
    from demografie.redact import redact

    home = parameters.get("home")
    settings = settings_for(home if isinstance(home, str | Path) else None)
    _watch_children()
    _quiet_tracebacks(settings.debug)
    progress.subscribe(output.progress_line)
    try:
        return flow(*args, **parameters)
    except KeyboardInterrupt:
        stopped()
    except RunFailedError as exc:
        output.print_summary(exc.summary)
        output.err.print(f"[bold red]Run failed.[/] {escape(redact(str(exc)))}")
        raise typer.Exit(1) from None
    except DemografieError as exc:
        output.err.print(f"[bold red]Error:[/] {escape(redact(str(exc)))}")
        raise typer.Exit(1) from None
    except Exception as exc:  # not one of ours: a bug, or a failure of the machine (disk, memory)
        output.err.print(
            f"[bold red]Error:[/] {escape(redact(f'{type(exc).__name__}: {exc}'))} (unexpected: DEMOGRAFIE_DEBUG=1 "
            "shows where; please report it if it is not the machine's fault)"
        )
        raise typer.Exit(1) from None
    finally:
        progress.unsubscribe(output.progress_line)


def fail(heading: str, message: str, code: int = 1) -> NoReturn:
    """A command's failure said in one line (the message escaped: it may quote user texts), no traceback."""
    output.err.print(f"[bold red]{heading}[/] {escape(message)}")
    raise typer.Exit(code)


def stopped() -> NoReturn:
    """Ctrl-C or SIGTERM (which unwinds like it): said once, exit 130."""
    output.err.print("[bold red]Stopped.[/] The lake holds only whole deliveries; the previous warehouse stays live.")
    raise typer.Exit(130)


def _watch_children() -> None:
    """Prefect's temporary server must not outlive a command killed by SIGKILL (see reaper)."""
    from demografie.flows.reaper import watch_children

    if _Process.from_main and _Process.watcher is None:
        _Process.watcher = watch_children()


def settings_for(home: str | Path | None) -> Settings:
    """The environment read once for this command and checked before anything starts (a wrong
    value is a usage error naming the variable, and so is a user catalog that cannot be used)."""
    from demografie import catalog
    from demografie.settings import Settings

    def read() -> Settings:
        settings = Settings.from_env(home)
        catalog.of(settings)
        return settings

    return cast("Settings", usage_check(read))


def usage_check(check: Any, *args: Any) -> Any:
    """A wrong option value is a usage error (exit 2), said before anything starts."""
    try:
        return check(*args)
    except ValueError as exc:
        output.err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
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


def rebuild_home(settings: Settings, full: bool = False, allow_empty: bool = False) -> Any:
    """usecases.rebuild for a command: deliveries of a changed catalog entry normalised again (and
    said), then the warehouse built and swapped in; called with the home held."""
    from demografie.usecases.rebuild import rebuild

    rebuilt = rebuild(settings, full=full, allow_empty=allow_empty)
    for note in rebuilt.notes:
        output.console.print(f"[yellow]note:[/] {escape(note)}")
    return rebuilt.result


def unwritable(target: Path, exc: OSError) -> str:
    """Why a file the user asked for cannot be written (a missing folder, no permission, a full disk)."""
    at = f": {exc.filename}" if exc.filename and str(exc.filename) != str(target) else ""
    return f"cannot write {target}: {exc.strerror or exc}{at} (--out names where the files go)"


def entries_or_exit(lake: Any) -> list[Any]:
    """The lake's commit records, or the damaged one named (exit 1) instead of a traceback."""
    from demografie.warehouse.lake import ManifestError, committed_entries

    try:
        return committed_entries(lake)
    except ManifestError as exc:
        fail("Error:", str(exc))


def warehouse_or_exit(home: Path | None) -> Path:
    from demografie.warehouse.build import unreadable

    warehouse = settings_for(home).paths.warehouse
    if not warehouse.exists():
        output.err.print(
            f"[bold red]No warehouse at {escape(str(warehouse))}.[/] Run `demografie run` or `make demo` first."
        )
        raise typer.Exit(2)
    if problem := unreadable(warehouse):
        output.err.print(f"[bold red]Error:[/] {escape(problem)}")
        raise typer.Exit(1)
    return warehouse

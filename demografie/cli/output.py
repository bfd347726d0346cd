"""What the commands print: the consoles, the progress lines, tables, the load summary and query
results. Every text that comes from a user, a file or a publisher is escaped: rich would read it
as markup.

Two rules hold for everything printed:
- A line of text is never broken by us (`soft_wrap`): a command, a path or a URL stays one line
  that can be copied, however narrow the terminal.
- A table fits the terminal or is not drawn as one: its optional columns go first, then it is
  shown as one block of `column: value` lines per row (as psql's expanded display), so no cell is
  ever cut. Through a pipe (a CI log, a cron mail, `| grep`) and with NO_COLOR there is no colour
  and no box drawing, and no width limit: every row is one line.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from pathlib import Path

PIPE_WIDTH = 100_000  # through a pipe nothing is laid out to a width: each row stays whole


def make_console(stderr: bool = False, terminal_width: int | None = None) -> Console:
    """A console for the real terminal, or a plain one without colour or width through a pipe;
    `terminal_width`: a terminal of that width whatever the output is (a test, a screenshot)."""
    if terminal_width is not None:
        return Console(stderr=stderr, soft_wrap=True, highlight=False, width=terminal_width, force_terminal=True)
    if Console(stderr=stderr).is_terminal:
        return Console(stderr=stderr, soft_wrap=True, highlight=False)
    return Console(stderr=stderr, soft_wrap=True, highlight=False, width=PIPE_WIDTH, color_system=None)


console = make_console()
err = make_console(stderr=True)


def plain(target: Console) -> bool:
    """Whether `target` gets no colour and no box drawing: not a terminal, or NO_COLOR set."""
    return not target.is_terminal or target.no_color


def line(text: str) -> None:
    """One line of our own text (with markup), never broken."""
    console.print(text, soft_wrap=True)


def progress_line(step: str, detail: str) -> None:
    style = {"failed": "bold red", "loaded": "green", "unchanged": "dim", "built": "bold green"}
    line(f"[{style.get(step, 'cyan')}]{step:>9}[/] {escape(detail)}")


@dataclass(frozen=True)
class Column:
    name: str
    optional: bool = False  # left out first when the table does not fit
    justify: JustifyMethod = "left"


def show_table(
    columns: Sequence[Column | str],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
    target: Console | None = None,
) -> None:
    """Rows (already escaped, markup allowed) as a table that fits `target`, else as blocks."""
    out = target or console
    wanted = [c if isinstance(c, Column) else Column(c) for c in columns]
    for chosen in _narrower(wanted):
        table = _table(chosen, [_pick(wanted, chosen, row) for row in rows], title, out)
        if _natural_width(table, out) <= out.width:
            out.print(table)
            return
    _show_blocks(wanted, rows, title, out)


def _narrower(columns: list[Column]) -> Iterator[list[Column]]:
    """All columns, then without the optional ones, the last first."""
    chosen = list(columns)
    yield chosen
    for column in reversed(columns):
        if column.optional:
            chosen = [c for c in chosen if c is not column]
            yield chosen


def _natural_width(table: Table, out: Console) -> int:
    """The width the table takes with no limit (rich's own measure is capped at the console's)."""
    return out.measure(table, options=out.options.update(width=PIPE_WIDTH, max_width=PIPE_WIDTH)).maximum


def _pick(wanted: list[Column], chosen: list[Column], row: Sequence[str]) -> list[str]:
    return [value for column, value in zip(wanted, row, strict=True) if column in chosen]


def _table(columns: list[Column], rows: list[list[str]], title: str | None, out: Console) -> Table:
    bare = plain(out)
    table = Table(
        title=title,
        title_justify="left",
        box=None if bare else box.SIMPLE_HEAD,
        show_edge=not bare,
        pad_edge=not bare,
        title_style=None if bare else "bold",
        header_style=None if bare else "bold",
    )
    for column in columns:
        table.add_column(column.name, no_wrap=True, justify=column.justify)
    for row in rows:
        table.add_row(*row)
    return table


def _show_blocks(columns: list[Column], rows: Sequence[Sequence[str]], title: str | None, out: Console) -> None:
    """Each row as `column: value` lines: what a narrow terminal shows of a wide table."""
    if title:
        out.print(f"[bold]{title}[/]", soft_wrap=True)
    width = max(len(c.name) for c in columns)
    for number, row in enumerate(rows, start=1):
        out.print(f"[dim]-- {number} --[/]", soft_wrap=True)
        for column, value in zip(columns, row, strict=True):
            out.print(f"{escape(column.name) + ':':<{width + 1}} {value}", soft_wrap=True)


class QueryFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"  # one object a line
    MARKDOWN = "markdown"


def print_query(warehouse: Path, query: str, title: str | None, output_format: QueryFormat = QueryFormat.TABLE) -> None:
    """The result of `query`: a table for a person, or CSV, JSON lines or Markdown for a program
    (plain text, nothing else on stdout, so `> file.csv` and `| jq` work)."""
    columns, rows = run_query(warehouse, query)
    if columns is None:
        return
    if output_format is QueryFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    elif output_format is QueryFormat.JSON:
        for row in rows:
            typer.echo(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
    elif output_format is QueryFormat.MARKDOWN:
        typer.echo(markdown(columns, rows))
    else:
        laid_out = [Column(c, justify="right" if _numeric(rows, i) else "left") for i, c in enumerate(columns)]
        show_table(laid_out, [[cell(v) for v in row] for row in rows], escape(title or ""))
        line(f"[dim]{len(rows)} row(s)[/]")


def _numeric(rows: Sequence[Sequence[Any]], index: int) -> bool:
    """Whether a column holds figures (aligned right, as figures are read)."""
    values = [row[index] for row in rows if row[index] is not None]
    return bool(values) and all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values)


def run_query(warehouse: Path, query: str) -> tuple[list[str] | None, list[tuple[Any, ...]]]:
    import duckdb

    from demografie.publish.export import QUERY_CONFIG

    try:
        # read-only is for DuckDB's catalog; COPY ... TO, ATTACH and read_csv still reach files, so
        # a query typed here gets no file system at all (and cannot switch it back on)
        with duckdb.connect(str(warehouse), read_only=True, config=QUERY_CONFIG) as con:
            relation = con.sql(query)
            if relation is None:
                return None, []
            return list(relation.columns), relation.fetchall()
    except duckdb.Error as exc:
        err.print(f"[bold red]Query failed:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


def markdown(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def text(value: Any) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(text, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(text, row)) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: object) -> str:
    if value is None:
        return "[dim]NULL[/]"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return escape(str(value))


def print_summary(summary: Any) -> None:
    """One row per table of the run; a message (why it failed, a note) as a line of its own below."""
    columns = [
        Column("dataset", optional=True),
        Column("table"),
        Column("outcome"),
        Column("observations", justify="right"),
        Column("dates", optional=True),
        Column("vintage", optional=True),
    ]
    rows = [
        [escape(str(c)) for c in (t.dataset, t.table, t.outcome, t.rows, _dates(t), t.vintage[:16].replace("T", " "))]
        for t in summary.tables
    ]
    show_table(columns, rows, escape(f"Load {summary.load_id}"))
    for t in summary.tables:
        if t.message:
            line(f"  {escape(t.table)}: {escape(t.message)}")
    if summary.build is not None:
        line(
            f"warehouse {escape(str(summary.build.warehouse))}: {summary.build.current_observations} "
            f"current observations from {summary.build.deliveries} deliveries"
        )
        for warning in summary.build.warnings:
            line(f"[yellow]warning:[/] {escape(warning)}")


def _dates(outcome: Any) -> str:
    return f"{outcome.first_date} … {outcome.last_date}" if outcome.first_date else ""

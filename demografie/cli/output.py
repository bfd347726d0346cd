"""What the commands print: the consoles, the progress lines, the load summary and query results.
Every text that comes from a user, a file or a publisher is escaped: rich would read it as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from pathlib import Path

console = Console()
err = Console(stderr=True)


def progress_line(step: str, detail: str) -> None:
    style = {"failed": "bold red", "loaded": "green", "unchanged": "dim", "built": "bold green"}
    console.print(f"[{style.get(step, 'cyan')}]{step:>9}[/] {escape(detail)}")


QUERY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "lock_configuration": True,
}


def print_query(warehouse: Path, query: str, title: str | None) -> None:
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
        table.add_row(*(cell(value) for value in row))
    console.print(table)
    console.print(f"[dim]{len(rows)} row(s)[/]")


def cell(value: object) -> str:
    if value is None:
        return "[dim]NULL[/]"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return escape(str(value))


def print_summary(summary: Any) -> None:
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

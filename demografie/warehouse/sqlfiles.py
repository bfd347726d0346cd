"""The warehouse's SQL lives in demografie/sql/, one concern per file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb

from demografie.laender import Land
from demografie.sqltext import SQL_ROOT, read_sql

__all__ = ["SQL_ROOT", "build_steps", "check_files", "per_state", "query_rows", "read_sql"]


def query_rows(
    con: duckdb.DuckDBPyConnection, relative: str, parameters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of the query in sql/`relative`, each a dict by column name."""
    relation = con.execute(read_sql(relative), parameters or {})
    columns = [d[0] for d in relation.description or []]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


# a line naming one of these is written once per configured Land (per_state)
PER_STATE = re.compile(r"\{(state|column|name)\}")


def per_state(sql: str, lands: Sequence[Land]) -> str:
    """The SQL with every line that names `{state}`, `{column}` or `{name}` written once per Land,
    in the order given, so that the wide comparison marts have a column per configured Land
    (`hessen`, `sachsen`, `thueringen`) and no SQL is assembled in Python."""
    lines: list[str] = []
    for line in sql.splitlines():
        if not PER_STATE.search(line):
            lines.append(line)
            continue
        lines += [_for_land(line, land) for land in lands]
    return "\n".join(lines)


def _for_land(line: str, land: Land) -> str:
    # the name also stands inside COMMENT strings: a quote in it is doubled
    values = {"state": land.key, "column": land.column, "name": land.name.replace("'", "''")}
    return PER_STATE.sub(lambda match: values[match[1]], line)


def check_files() -> list[str]:
    return sorted(f"checks/{entry.name}" for entry in (SQL_ROOT / "checks").iterdir() if entry.name.endswith(".sql"))


# What a build step creates, and what it reads: schema-qualified names in the file's text.
CREATED = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW|MACRO)\s+((?:core|meta|marts|geo)\.\w+)", re.I)
REFERENCED = re.compile(r"\b((?:core|meta|marts|geo)\.\w+)\b")
SCHEMAS = "core/schemas.sql"
STEP_FOLDERS = ("core", "meta", "geo", "marts")
# created by the checks after the build steps (checks.run_checks), not by a step
NOT_STEPS = frozenset({"meta/check_results.sql"})


def build_steps() -> list[str]:
    """The files that build the warehouse, each after every file whose relations it reads: the
    order follows from the SQL itself (a new mart is a new file, not an edit of a list)."""
    files = [
        f"{folder}/{entry.name}"
        for folder in STEP_FOLDERS
        for entry in sorted((SQL_ROOT / folder).iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql") and f"{folder}/{entry.name}" not in NOT_STEPS
    ]
    texts = {file: _without_comments(read_sql(file)) for file in files}
    steps = [file for file in files if CREATED.search(texts[file])]
    creator = {name.lower(): file for file in steps for name in CREATED.findall(texts[file])}
    needs = {
        file: {
            creator[name.lower()] for name in REFERENCED.findall(texts[file]) if creator.get(name.lower(), file) != file
        }
        for file in steps
    }
    return [SCHEMAS, *_in_dependency_order([s for s in steps if s != SCHEMAS], needs)]


def _in_dependency_order(steps: list[str], needs: dict[str, set[str]]) -> list[str]:
    ordered: list[str] = []
    pending = list(steps)
    while pending:
        ready = [step for step in pending if needs[step] <= set(ordered)]
        if not ready:
            raise ValueError(f"the build steps read each other in a circle: {', '.join(pending)}")
        ordered.append(ready[0])
        pending.remove(ready[0])
    return ordered


def _without_comments(sql: str) -> str:
    """The SQL without -- comments and COMMENT ON statements, which name relations they do not read."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return re.sub(r"COMMENT\s+ON\s+.*?;", "", "\n".join(lines), flags=re.S | re.I)

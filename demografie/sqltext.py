"""The text of the SQL files in demografie/sql/, for every layer that runs one (the warehouse's
build and queries, the flat-file reader of the transforms)."""

from __future__ import annotations

from importlib import resources

SQL_ROOT = resources.files("demografie") / "sql"


def read_sql(relative: str) -> str:
    return (SQL_ROOT / relative).read_text("utf-8")

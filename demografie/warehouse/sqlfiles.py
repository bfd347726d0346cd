"""The warehouse's SQL lives in demografie/sql/, one concern per file."""

from __future__ import annotations

from importlib import resources

SQL_ROOT = resources.files("demografie") / "sql"


def read_sql(relative: str) -> str:
    return (SQL_ROOT / relative).read_text("utf-8")


def check_files() -> list[str]:
    return sorted(f"checks/{entry.name}" for entry in (SQL_ROOT / "checks").iterdir() if entry.name.endswith(".sql"))

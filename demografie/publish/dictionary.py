"""The data dictionary, written from the warehouse itself: every relation and column with its
description (the COMMENTs in sql/), the publisher tables behind it, and their licences.

Written as Markdown (for a repository or wiki) and as one HTML page (for people without either).
Nothing here is maintained by hand, so it cannot drift from the warehouse it describes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from demografie.fileio import atomic_write_bytes
from demografie.warehouse.sqlfiles import query_rows

SOURCE_COLUMNS = ("source_table", "source_tables", "sources")
CENSUS_NOTE = (
    "Population figures are carried forward (Fortschreibung) from the last census; when a new census is in, "
    "the offices re-base the series and the figures jump. Every population figure and every mart row derived "
    "from one names its basis in census_basis, from its date and its vintage (a figure published before its "
    "publisher re-based keeps the old basis; census counts are their own basis; births, moves, employees and "
    "unemployment stand on none: NULL). marts.population_change never takes a plain difference across a "
    "re-basing: change_Ny_method is direct (one basis), linked (chain-linked at change_Ny_link_date, a date "
    "the warehouse holds on both bases) or break (NULL). Shares and ratios within one date are unaffected. "
    "See docs/census-bases.md."
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str
    description: str
    columns: list[Column]
    sources: list[str]
    licences: list[str]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Dictionary:
    built: dict[str, Any]
    relations: list[Relation]
    datasets: list[dict[str, Any]]
    census_bases: list[dict[str, Any]]


@dataclass(frozen=True)
class Written:
    markdown: Path
    html: Path
    relations: int


def read_dictionary(warehouse: Path) -> Dictionary:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = query_rows(con, "docs/build.sql")
        columns: dict[tuple[str, str], list[Column]] = {}
        for row in query_rows(con, "docs/columns.sql"):
            key = (row["schema_name"], row["table_name"])
            columns.setdefault(key, []).append(Column(row["column_name"], row["data_type"], row["comment"] or ""))
        datasets = query_rows(con, "docs/datasets.sql")
        bases = query_rows(con, "docs/census_bases.sql")
        licence_of = {d["source_table"]: d["licence"] for d in datasets}
        relations = []
        for row in query_rows(con, "docs/relations.sql"):
            own = columns.get((row["schema_name"], row["name"]), [])
            sources = _sources(con, row["schema_name"], row["name"], own)
            relations.append(
                Relation(
                    schema=row["schema_name"],
                    name=row["name"],
                    kind=row["kind"],
                    description=row["comment"] or "",
                    columns=own,
                    sources=sources,
                    licences=sorted({licence_of[t] for t in sources if t in licence_of}),
                )
            )
    return Dictionary(built[-1] if built else {}, relations, datasets, bases)


def write_dictionary(warehouse: Path, directory: Path) -> Written:
    dictionary = read_dictionary(warehouse)
    markdown = directory / "data-dictionary.md"
    page = directory / "data-dictionary.html"
    atomic_write_bytes(markdown, to_markdown(dictionary).encode("utf-8"))
    atomic_write_bytes(page, to_html(dictionary).encode("utf-8"))
    return Written(markdown, page, len(dictionary.relations))


def _sources(con: duckdb.DuckDBPyConnection, schema: str, name: str, columns: list[Column] | None) -> list[str]:
    """The publisher tables a mart currently draws on (its source_table column, if it has one)."""
    if schema != "marts" or not columns:
        return []
    found = [c.name for c in columns if c.name in SOURCE_COLUMNS]
    if not found:
        return []
    # identifiers come from DuckDB's own catalog, quoted
    rows = con.execute(
        f'SELECT DISTINCT "{found[0]}" FROM "{schema}"."{name}" WHERE "{found[0]}" IS NOT NULL'
    ).fetchall()
    return sorted({table.strip() for (value,) in rows for table in str(value).split(",")})


def to_markdown(dictionary: Dictionary) -> str:
    lines = ["# demografie data dictionary", "", *_built_lines(dictionary), ""]
    for schema in ("marts", "core", "meta", "geo"):
        lines += [f"## Schema `{schema}`", ""]
        for relation in (r for r in dictionary.relations if r.schema == schema):
            lines += [f"### `{relation.qualified}` ({relation.kind})", "", relation.description or "–", ""]
            if relation.sources:
                lines += ["Source tables in this warehouse: " + ", ".join(f"`{s}`" for s in relation.sources), ""]
                lines += ["Licences: " + "; ".join(relation.licences), ""]
            if relation.columns:
                lines += ["| column | type | description |", "|---|---|---|"]
                lines += [f"| `{c.name}` | {c.type} | {_md(c.description)} |" for c in relation.columns]
                lines.append("")
    lines += ["## Census bases", "", CENSUS_NOTE, ""]
    lines += ["| basis | census | day | states | evidence |", "|---|---|---|---|---|"]
    lines += [
        f"| `{b['basis']}` | {_md(b['label'])} | {b['census_day']} | {b['states']} | {_md(b['evidence'])} |"
        for b in dictionary.census_bases
    ]
    lines.append("")
    lines += ["## Publisher tables and licences", "", "| dataset | publisher | table | title | held | licence |"]
    lines.append("|---|---|---|---|---|---|")
    for d in dictionary.datasets:
        lines.append(
            f"| `{d['name']}` | {d['source']} | `{d['source_table']}` | {_md(d['title'])} | {_held(d)} | "
            f"{_md(d['licence'])} |"
        )
    return "\n".join(lines) + "\n"


def to_html(dictionary: Dictionary) -> str:
    body = [f"<h1>demografie data dictionary</h1><p>{_e(' '.join(_built_lines(dictionary)))}</p>"]
    body.append("<nav><ul>" + "".join(_nav_item(r) for r in dictionary.relations) + "</ul></nav>")
    for schema in ("marts", "core", "meta", "geo"):
        body.append(f"<h2>Schema <code>{schema}</code></h2>")
        for relation in (r for r in dictionary.relations if r.schema == schema):
            body.append(_html_relation(relation))
    body.append(f"<h2>Census bases</h2><p>{_e(CENSUS_NOTE)}</p>")
    body.append(
        _html_table(
            ("basis", "census", "day", "states", "evidence"),
            ((b["basis"], b["label"], b["census_day"], b["states"], b["evidence"]) for b in dictionary.census_bases),
        )
    )
    body.append("<h2>Publisher tables and licences</h2>")
    body.append(
        _html_table(
            ("dataset", "publisher", "table", "title", "held", "licence"),
            (
                (d["name"], d["source"], d["source_table"], d["title"], _held(d), d["licence"])
                for d in dictionary.datasets
            ),
        )
    )
    return PAGE.format(body="\n".join(body))


def _built_lines(dictionary: Dictionary) -> list[str]:
    built = dictionary.built
    if not built:
        return ["This warehouse has no build record."]
    return [
        f"Built {built['built_at']:%Y-%m-%d %H:%M} UTC by demografie {built['demografie_version']} from "
        f"{built['deliveries']} deliveries ({built['observation_versions']} observation versions)."
    ]


def _held(dataset: dict[str, Any]) -> str:
    if not dataset["deliveries"]:
        return "–"
    return f"{dataset['first_date']} … {dataset['last_date']}, Stand {dataset['newest_vintage']:%Y-%m-%d}"


def _nav_item(relation: Relation) -> str:
    return f'<li><a href="#{relation.qualified}">{_e(relation.qualified)}</a></li>'


def _html_relation(relation: Relation) -> str:
    parts = [f'<h3 id="{relation.qualified}"><code>{_e(relation.qualified)}</code> ({relation.kind})</h3>']
    parts.append(f"<p>{_e(relation.description or '–')}</p>")
    if relation.sources:
        parts.append(
            "<p>Source tables in this warehouse: "
            + ", ".join(f"<code>{_e(s)}</code>" for s in relation.sources)
            + "</p>"
        )
    if relation.columns:
        parts.append(
            _html_table(("column", "type", "description"), ((c.name, c.type, c.description) for c in relation.columns))
        )
    return "\n".join(parts)


def _html_table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _md(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>demografie data dictionary</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }}
th, td {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }} code {{ background: #f6f6f6; padding: 0 .2rem; }}
nav ul {{ columns: 3; font-size: .9rem; }}
</style></head>
<body>
{body}
</body></html>
"""

"""Which tables' versions a build may copy from the live warehouse instead of computing them again.

`core.observations` is most of a build's time (the windows that find versions), and each table's
versions follow from nothing but that table's deliveries and the build's recipe: the SQL that
versions them, the catalog, the census reference tables, the versions of demografie, DuckDB and
pyarrow. Every build records, per table, a fingerprint of those inputs and a digest of the versions
it wrote (`meta.observation_inputs`). The next build copies a table's versions from the live file
when its fingerprint is unchanged and the live rows still match their digest (nobody wrote to the
file), and computes only the rest. The result equals a full build's; anything unexpected about the
live file (missing, of an older layout, locked by a writer, written to) means a full build.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from demografie import __version__
from demografie.warehouse.lake import ManifestEntry
from demografie.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

TableKey = tuple[str, str]  # (source, source_table)
LIVE = "live"  # the name the live warehouse is attached under, read-only
# the SQL whose text decides what a table's versions are
VERSIONING_SQL = ("staging/lake_observations.sql", "core/observations.sql")
FINGERPRINT_SCHEMA = pa.schema([("source", pa.string()), ("source_table", pa.string()), ("fingerprint", pa.string())])


@dataclass(frozen=True)
class Reuse:
    """The tables whose versions come from the live file; empty for a full build."""

    tables: frozenset[TableKey]
    reason: str  # where the versions came from, or why all were computed: for progress output

    @property
    def any(self) -> bool:
        return bool(self.tables)


FULL = Reuse(frozenset(), "a full build")


def recipe(reference: Iterable[pa.Table]) -> str:
    """What, beside its deliveries, decides a table's versions: the versioning SQL, the tables
    registered for it (catalog, census bases and re-basings) and the versions of the code."""
    digest = hashlib.sha256()
    for part in (__version__, duckdb.__version__, pa.__version__, *(read_sql(f) for f in VERSIONING_SQL)):
        digest.update(part.encode())
    for table in reference:
        digest.update(json.dumps(table.to_pylist(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def fingerprints(entries: Sequence[ManifestEntry], recipe_digest: str) -> dict[TableKey, str]:
    """Per table, a digest of the recipe and of every field of its deliveries' manifest entries."""
    by_table: dict[TableKey, list[str]] = defaultdict(list)
    for entry in entries:
        by_table[(entry.source, entry.source_table)].append(json.dumps(asdict(entry), sort_keys=True))
    return {
        key: hashlib.sha256("\n".join([recipe_digest, *sorted(lines)]).encode()).hexdigest()
        for key, lines in by_table.items()
    }


def fingerprint_table(prints: dict[TableKey, str]) -> pa.Table:
    rows = [{"source": s, "source_table": t, "fingerprint": f} for (s, t), f in sorted(prints.items())]
    return pa.Table.from_pylist(rows, schema=FINGERPRINT_SCHEMA)


def attach_live(con: duckdb.DuckDBPyConnection, live: Path, prints: dict[TableKey, str]) -> Reuse:
    """Attach the live warehouse read-only and say which tables' versions can be copied from it.
    On any doubt the live file is detached again and the build is a full one."""
    if not live.exists():
        return Reuse(frozenset(), "no live warehouse")
    if live.with_name(live.name + ".wal").exists():
        return Reuse(frozenset(), f"{live.name} was opened for writing (it has a write-ahead log)")
    try:
        con.execute(f"ATTACH '{_quoted(live)}' AS {LIVE} (READ_ONLY)")
    except duckdb.Error as exc:
        return Reuse(frozenset(), f"{live.name} cannot be read now ({_short(exc)})")
    try:
        recorded = con.execute(read_sql("staging/live_inputs.sql")).fetchall()
    except duckdb.Error as exc:
        detach_live(con)
        return Reuse(frozenset(), f"{live.name} records no inputs of its versions ({_short(exc)})")
    for source, table, _, _ in (row for row in recorded if not row[3]):
        log.warning(
            "the versions of %s %s in %s are not the ones its build wrote (was the file written to?): "
            "they are computed again from the lake",
            source,
            table,
            live,
        )
    intact = {(source, table): fingerprint for source, table, fingerprint, ok in recorded if ok}
    tables = frozenset(key for key, value in prints.items() if intact.get(key) == value)
    if not tables:
        detach_live(con)
        return Reuse(frozenset(), "no table's deliveries and recipe are as in the live warehouse")
    return Reuse(tables, "the others copied from the previous warehouse")


def copy_versions(con: duckdb.DuckDBPyConnection, reuse: Reuse) -> None:
    """Append the reused tables' versions from the live file to core.observations, then let go of it."""
    sources, tables = zip(*sorted(reuse.tables), strict=True)
    con.register("reused_tables", pa.table({"source": sources, "source_table": tables}))
    con.execute(read_sql("staging/reused_observations.sql"))
    con.unregister("reused_tables")
    detach_live(con)


def detach_live(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DETACH DATABASE IF EXISTS {LIVE}")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160]

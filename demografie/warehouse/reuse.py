"""Which tables' versions a build keeps from the live warehouse instead of computing them again.

`core.observations` is most of a build's time (the windows that find versions), and each table's
versions follow from nothing but that table's deliveries and the build's recipe: the SQL that
versions them, the catalog, the census reference tables, the versions of demografie, DuckDB and
pyarrow. Every build records, per table, a fingerprint of those inputs and a digest of the versions
it wrote (`meta.observation_inputs`). The next build starts from a byte copy of the live file
(`copy_live`): it keeps a table's versions when its fingerprint is unchanged and the rows still
match their digest (nobody wrote to the file), deletes the others' and drops everything else, then
computes only the changed tables' versions and every later step. The kept versions are never
rewritten: copying them row by row into a new file cost more than half of a nightly build. The
result equals a full build's; anything unexpected about the live file (missing, of an older layout,
open for writing, written to, torn) means a full build in a new file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
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


def copy_live(live: Path, staging: Path) -> str | None:
    """Copy the live warehouse byte for byte to `staging`, where the build changes it in place;
    None when done, else why the build is a full one. Readers may hold the live file open: it is
    only read. A torn or foreign copy is found when it is opened or checked (`kept_tables`)."""
    if not live.exists():
        return "no live warehouse"
    if live.with_name(live.name + ".wal").exists():
        return f"{live.name} was opened for writing (it has a write-ahead log)"
    try:
        shutil.copyfile(live, staging)
    except OSError as exc:
        return f"{live.name} cannot be copied now ({brief(exc)})"
    return None


def kept_tables(con: duckdb.DuckDBPyConnection, live: Path, prints: dict[TableKey, str]) -> Reuse:
    """On the copy of the live warehouse: the tables whose versions it keeps, those whose
    fingerprint is unchanged and whose rows are still the ones their build wrote."""
    try:
        recorded = con.execute(read_sql("staging/kept_inputs.sql")).fetchall()
    except duckdb.Error as exc:
        return Reuse(frozenset(), f"{live.name} records no inputs of its versions ({brief(exc)})")
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
        return Reuse(frozenset(), "no table's deliveries and recipe are as in the live warehouse")
    return Reuse(tables, "the others kept from the previous warehouse")


def clear_for_rebuild(con: duckdb.DuckDBPyConnection, reuse: Reuse) -> None:
    """Empty the copy but for the kept tables' versions: every other relation and macro is
    dropped (each build step creates its own again) and the versions of every other table are
    deleted. The kept versions wait as core.kept_observations for `join_kept`."""
    for kind, schema, name in con.execute(read_sql("staging/built_objects.sql")).fetchall():
        con.execute(f"DROP {kind} IF EXISTS {_identifier(schema)}.{_identifier(name)} CASCADE")
    sources, tables = zip(*sorted(reuse.tables), strict=True)
    con.register("kept_tables", pa.table({"source": sources, "source_table": tables}))
    con.execute(read_sql("staging/keep_versions.sql"))
    con.unregister("kept_tables")


def _identifier(name: str) -> str:
    """A name as a quoted SQL identifier: the copy's names are whatever its writers gave."""
    return '"' + name.replace('"', '""') + '"'


def join_kept(con: duckdb.DuckDBPyConnection) -> None:
    """After the versioning step: the versions it computed join the kept ones, which are not
    copied again (an INSERT of millions of rows would decompress and compress every column)."""
    con.execute(read_sql("staging/join_kept.sql"))


def brief(exc: Exception) -> str:
    """An error's message on one line, cut to the length of a progress line's reason."""
    return " ".join(str(exc).split())[:160]

"""Build the DuckDB warehouse from the lake into a new file, check it, and swap it in.

Analysts may hold the live file open (even for the whole run): the build only reads it, to copy it
byte for byte and keep in the copy the versions of tables whose deliveries did not change
(warehouse/reuse.py), and builds in full in a new file when it cannot. The new file replaces the
live one with an atomic rename only after every `error` check passed; until then, and whenever
anything fails, the previous warehouse stays live and untouched.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from demografie import __version__
from demografie.catalog import Dataset, lake_only
from demografie.errors import WarehouseError
from demografie.fileio import fsync_dir
from demografie.laender import DEFAULT_STATES, LAND, chosen
from demografie.reference import (
    SETTLEMENT_STRUCTURE_SOURCE,
    census_bases,
    projection_editions,
    rebasings,
    regions,
    settlement_structures,
)
from demografie.registry import attribution
from demografie.settings import Paths
from demografie.storage import Store
from demografie.transforms.boundaries import BOUNDARY_SCHEMA
from demografie.transforms.schema import OBSERVATION_SCHEMA
from demografie.tuning import BUILD_MEMORY_MB, default
from demografie.warehouse.checks import CheckResult, ChecksFailedError, run_checks
from demografie.warehouse.geolake import current_edition, gebietsstand
from demografie.warehouse.guards import NEVER_NEGATIVE
from demografie.warehouse.lake import (
    PARTITION_COLUMNS,
    ManifestEntry,
    committed_entries,
    file_problem,
    manifest_file,
    orphans,
)
from demografie.warehouse.reuse import (
    FULL,
    Reuse,
    TableKey,
    brief,
    clear_for_rebuild,
    copy_live,
    fingerprint_table,
    fingerprints,
    join_kept,
    kept_tables,
    recipe,
)
from demografie.warehouse.sqlfiles import build_steps, per_state, read_sql

log = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = int(default(BUILD_MEMORY_MB))
VERSIONING_STEP = "core/observations.sql"  # after it, the computed versions join the kept ones


@dataclass(frozen=True)
class BuildResult:
    path: Path
    deliveries: int
    observation_versions: int
    current_observations: int
    checks: list[CheckResult]
    seconds: dict[str, float]  # by phase: stage, core, reuse, marts, docs, checks, finish
    reuse: Reuse  # the tables whose versions were kept from the previous warehouse
    tables: int
    orphans: list[str]  # lake.orphans: files the build cannot see, each a warning

    def split(self) -> str:
        """Where the build's time went, for progress output: `6.8 s (core 2.1, marts 3.0, ...)`."""
        parts = ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in self.seconds.items())
        return f"{sum(self.seconds.values()):.1f} s ({parts})"

    def versioned(self) -> str:
        """Which tables' versions were computed, and why, for progress output."""
        computed = self.tables - len(self.reuse.tables)
        share = f"{computed} of {self.tables}" if self.reuse.any else f"all {self.tables}"
        return f"versions of {share} tables computed ({self.reuse.reason})"


@dataclass(frozen=True)
class _Built:
    versions: int
    current: int
    checks: list[CheckResult]
    seconds: dict[str, float]
    reuse: Reuse


def build_warehouse(
    paths: Paths,
    datasets: Sequence[Dataset],
    memory_mb: int = DEFAULT_MEMORY_MB,
    full: bool = False,
    allow_empty: bool = False,
    states: Sequence[str] = DEFAULT_STATES,
) -> BuildResult:
    """Build, check and swap in; DuckDB spills past `memory_mb` to a directory beside the new file.
    Unless `full`, the versions of tables unchanged since the live warehouse's build are copied.
    A lake that holds none of the live warehouse's tables is refused unless `allow_empty`. The
    region reference is that of `states` (DEMOGRAFIE_STATES), the Länder the home loads."""
    remove_build_leftovers(paths.warehouse)
    entries = committed_entries(paths.lake)
    if not allow_empty:
        check_not_emptied(paths, entries)
    datasets = with_lake_tables(datasets, entries)
    staging = paths.warehouse.with_name(f".{paths.warehouse.name}.{uuid.uuid4().hex}.building")
    spill = staging.with_name(staging.name + ".spill")
    live = None if full else paths.warehouse
    try:
        built = _build(staging, _Limits(memory_mb, spill), paths, entries, datasets, live, states)
        set_aside_stale_wal(paths.warehouse)
        os.replace(staging, paths.warehouse)
        fsync_dir(paths.warehouse.parent)
    except (duckdb.InterruptException, RuntimeError) as exc:
        # Ctrl-C and SIGTERM (our handler raises KeyboardInterrupt) reach a running query, which
        # DuckDB's Python client turns into RuntimeError("Query interrupted"): the command stops
        if isinstance(exc, RuntimeError) and str(exc) != INTERRUPTED:
            raise
        raise KeyboardInterrupt("the build was interrupted") from None
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
    return BuildResult(
        paths.warehouse,
        len(entries),
        built.versions,
        built.current,
        built.checks,
        built.seconds,
        built.reuse,
        len({(e.source, e.source_table) for e in entries}),
        orphans(paths.lake, entries),
    )


class EmptiedLakeError(WarehouseError, ValueError):
    """The lake holds none of the tables of the live warehouse: a storage location that is not
    mounted or mistyped, a lake moved away. Swapping in would replace every figure with none."""


def check_not_emptied(paths: Paths, entries: Sequence[ManifestEntry]) -> None:
    live = _live_tables(paths.warehouse)
    if not live or live & {(e.source, e.source_table) for e in entries}:
        return
    missing = ", ".join(f"{source} {table}" for source, table in sorted(live)[:6])
    more = f" and {len(live) - 6} more" if len(live) > 6 else ""
    lost = orphans(paths.lake, list(entries))
    unlisted = f"; {len(lost)} lake file(s) have no manifest entry, e.g. lake/{lost[0]}" if lost else ""
    raise EmptiedLakeError(
        f"the lake at {paths.lake.display} holds none of the {len(live)} table(s) of the live warehouse "
        f"({missing}{more}){unlisted}; is DEMOGRAFIE_STORAGE (or the data home) pointing at the right place? The "
        "live warehouse stays; `demografie build --allow-empty` builds from this lake all the same"
    )


def _live_tables(warehouse: Path) -> set[tuple[str, str]]:
    if not warehouse.exists():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {(s, t) for s, t, _ in con.execute(read_sql("meta/built_from.sql")).fetchall()}
    except duckdb.Error:
        return set()  # unreadable: nothing of it to keep


def remove_build_leftovers(warehouse: Path) -> list[Path]:
    """The files and spill folders of a build that was killed (SIGKILL, a crash: no finally ran),
    beside the live warehouse, by their exact names; called under the writer lock, so no build of
    ours is running."""
    leftover = re.compile(rf"^\.{re.escape(warehouse.name)}\.[0-9a-f]{{32}}\.building(?:\.wal|\.spill)?$")
    found = [p for p in warehouse.parent.glob(f".{warehouse.name}.*.building*") if leftover.match(p.name)]
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


def with_lake_tables(datasets: Sequence[Dataset], entries: Sequence[ManifestEntry]) -> list[Dataset]:
    """The catalog's datasets and every table the lake holds without an entry (loaded as published):
    meta.datasets lists them, and their population stocks get a census basis."""
    known = list(datasets)
    names = {d.name for d in known}
    for entry in sorted(entries, key=lambda e: e.dataset):
        if entry.dataset not in names:
            known.append(lake_only(entry.dataset, entry.source, entry.source_table))
            names.add(entry.dataset)
    return known


# DuckDB needs at least 128 MB a thread (its guide to memory); twice that leaves room for the
# versioning's window functions
MB_PER_THREAD = 256
INTERRUPTED = "Query interrupted"  # what DuckDB's Python client raises when a signal stops a query


@dataclass(frozen=True)
class _Limits:
    memory_mb: int
    spill: Path

    def config(self) -> dict[str, str | bool | int | float | list[str]]:
        return {"memory_limit": f"{self.memory_mb}MB", "temp_directory": str(self.spill), "threads": self.threads}

    @property
    def threads(self) -> int:
        """As many threads as the memory feeds: each pins its own blocks, and below their share
        DuckDB fails ("failed to pin block") instead of spilling; 1.5 M observations in three
        versions ran out at 128 MB with two threads and build with one."""
        return max(1, min(os.cpu_count() or 1, self.memory_mb // MB_PER_THREAD))


def set_aside_stale_wal(warehouse: Path) -> Path | None:
    """Move the live file's write-ahead log aside before the swap. It is there only when someone
    wrote to the warehouse (opened it read-write, the plain `duckdb data/warehouse.duckdb`) and did
    not close cleanly; left beside the new file, it would make every reader fail with "WAL does not
    match database file", and no rebuild would repair it. The writes stay in the moved file."""
    wal = warehouse.with_name(warehouse.name + ".wal")
    if not wal.exists():
        return None
    aside = wal.with_name(f"{wal.name}.{datetime.now(UTC):%Y%m%dT%H%M%S}.replaced")
    os.replace(wal, aside)
    log.warning(
        "%s held the writes of a session that opened the warehouse read-write; moved to %s (open the "
        "warehouse read-only: it is rebuilt and replaced by every run)",
        wal,
        aside,
    )
    return aside


def is_current(paths: Paths) -> bool:
    """Whether the live warehouse was built from exactly the deliveries the lake holds. A run
    killed after its lake commit but before the swap leaves it behind; the next run, which finds
    nothing newer at the publisher, must still build."""
    if not paths.warehouse.exists():
        return False
    committed = {(e.source, e.source_table, e.content_sha256) for e in committed_entries(paths.lake)}
    try:
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            built = set(con.execute(read_sql("meta/built_from.sql")).fetchall())
    except duckdb.Error:
        return False  # unreadable, or of an older layout: build anew
    return built == committed


def unreadable(warehouse: Path) -> str | None:
    """Why the warehouse file cannot be read (damaged, truncated, of another program), or None."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            con.execute("SELECT count(*) FROM meta.build").fetchall()
    except duckdb.Error as exc:
        cause = " ".join(str(exc).split())[:200]
        return f"{warehouse} cannot be read ({cause}); `demografie build` builds it anew from the lake"
    return None


def _build(
    staging: Path,
    limits: _Limits,
    paths: Paths,
    entries: list[ManifestEntry],
    datasets: Sequence[Dataset],
    live: Path | None,
    states: Sequence[str],
) -> _Built:
    clock = _Clock()
    versioning = _versioning_tables(datasets, states)
    prints = fingerprints(entries, recipe(versioning.values()))
    con, reuse = _open_staging(staging, limits, live, prints)
    clock.lap("reuse" if reuse.any else "stage")
    try:
        try:
            _stage(con, paths.lake, entries, versioning, prints, reuse, states)
            clock.lap("stage")
            lands = [LAND[state] for state in chosen(states)]
            for step in build_steps():
                con.execute(per_state(read_sql(step), lands))
                clock.lap(_phase(step))
                if step == VERSIONING_STEP and reuse.any:
                    join_kept(con)
                    clock.lap("reuse")
            _describe_shared_columns(con)
            clock.lap("docs")
        except duckdb.Error:
            _name_a_broken_file(paths.lake, entries)
            raise
        checks = run_checks(con)
        clock.lap("checks")
        failures = [c for c in checks if c.failed and c.severity == "error"]
        if failures:
            raise ChecksFailedError(failures)
        versions = _scalar(con, "SELECT count(*) FROM core.observations")
        current = _scalar(con, "SELECT count(*) FROM core.current_observations")
        con.execute(
            "INSERT INTO meta.build VALUES (?, ?, ?, ?)",
            [datetime.now(UTC).replace(tzinfo=None), __version__, len(entries), versions],
        )
        con.execute("CHECKPOINT")
        clock.lap("finish")
    finally:
        con.close()
    return _Built(versions, current, checks, clock.seconds, reuse)


def _open_staging(
    staging: Path, limits: _Limits, live: Path | None, prints: dict[TableKey, str]
) -> tuple[duckdb.DuckDBPyConnection, Reuse]:
    """The new warehouse's connection: a copy of the live file that keeps the unchanged tables'
    versions (warehouse/reuse.py), else an empty file for a full build."""
    if live is None:
        return _connect(staging, limits), FULL
    why = copy_live(live, staging)
    if why is None:
        con, reuse = _keep_in_copy(staging, limits, live, prints)
        if con is not None:
            return con, reuse
        why = reuse.reason
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return _connect(staging, limits), Reuse(frozenset(), why)


def _keep_in_copy(
    staging: Path, limits: _Limits, live: Path, prints: dict[TableKey, str]
) -> tuple[duckdb.DuckDBPyConnection | None, Reuse]:
    """The copy, cleared but for the versions it keeps; else no connection (the copy closed) and
    why it keeps none."""
    try:
        con = _connect(staging, limits)
    except duckdb.Error as exc:  # a torn copy, or a file of another DuckDB
        return None, Reuse(frozenset(), f"{live.name} cannot be opened as a copy ({brief(exc)})")
    try:
        reuse = kept_tables(con, live, prints)
        if reuse.any:
            clear_for_rebuild(con, reuse)
            return con, reuse
    except duckdb.Error as exc:
        reuse = Reuse(frozenset(), f"the copy of {live.name} cannot be cleared ({brief(exc)})")
    con.close()
    return None, reuse


def _connect(path: Path, limits: _Limits) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), config=limits.config())
    # no progress bar of DuckDB's own: on a terminal it would cut through the run's progress lines
    con.execute("SET enable_progress_bar = false")
    return con


def _phase(step: str) -> str:
    """The phase a build step's time counts to: the marts, or the core they stand on."""
    return "marts" if step.startswith("marts/") else "core"


class _Clock:
    """Seconds by phase, each lap added to the phase named."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._last
        self._last = now


def _describe_shared_columns(con: duckdb.DuckDBPyConnection) -> None:
    """The descriptions of docs/shared_columns.sql, for every column of that name without its own."""
    shared = dict(con.execute(read_sql("docs/shared_columns.sql")).fetchall())
    undescribed = con.execute(read_sql("docs/undescribed_columns.sql"), [list(shared)]).fetchall()
    for schema, table, column in undescribed:
        description = shared[column].replace("'", "''")
        con.execute(f'COMMENT ON COLUMN "{schema}"."{table}"."{column}" IS \'{description}\'')


class LakeFileError(WarehouseError, RuntimeError):
    """A committed lake file that cannot be read; the message names it and its delivery."""


def _verify_files(lake: Store, entries: list[ManifestEntry]) -> None:
    """Every lake file the build reads must be the bytes its commit record names: damage inside a
    data page leaves the footer whole, and DuckDB would read other figures without a word."""
    for entry in entries:
        if problem := file_problem(lake, entry):
            raise LakeFileError(damaged(entry, problem))


def damaged(entry: ManifestEntry, problem: str) -> str:
    return (
        f"lake/{entry.lake_file} (table {entry.source_table}, delivery of {entry.raw_file}) {problem}. The "
        "previous warehouse stays live; remove the file and its manifest entry "
        f"lake/{manifest_file(entry.source, entry.source_table, entry.content_sha256)} and load the delivery "
        "again (its raw file stays)"
    )


def _name_a_broken_file(lake: Store, entries: list[ManifestEntry]) -> None:
    """When the build fails, say which committed Parquet file is damaged (DuckDB's message names
    none), so that a person knows which delivery to load again."""
    for entry in entries:
        try:
            with lake.filesystem.open_input_file(lake.full(entry.lake_file)) as handle:
                pq.read_metadata(handle)
        except (OSError, pa.ArrowException) as exc:
            raise LakeFileError(damaged(entry, f"is damaged: {exc}")) from None


def _versioning_tables(datasets: Sequence[Dataset], states: Sequence[str]) -> dict[str, pa.Table]:
    """The tables that decide, with its deliveries, a table's versions (part of the recipe)."""
    return {
        "catalog_datasets": _catalog_table(datasets),
        "census_bases": _census_bases_table(states),
        "census_rebasings": _rebasings_table(),
    }


def _stage(
    con: duckdb.DuckDBPyConnection,
    lake: Store,
    entries: list[ManifestEntry],
    versioning: dict[str, pa.Table],
    prints: dict[TableKey, str],
    reuse: Reuse,
    states: Sequence[str],
) -> None:
    """Register what the build reads; the lake files only of the tables whose versions are computed."""
    for name, table in versioning.items():
        con.register(name, table)
    con.register("observation_fingerprints", fingerprint_table(prints))
    computed = [e for e in entries if (e.source, e.source_table) not in reuse.tables]
    # the lake is the record: a damaged file of a table whose versions are copied is still named
    # (its footer is read, 0.3 s for 600 files), not left to surprise the next full build
    _name_a_broken_file(lake, [e for e in entries if (e.source, e.source_table) in reuse.tables])
    _verify_files(lake, computed)
    _stage_lake(con, lake, computed)
    con.register("manifest_entries", _manifest_table(entries))
    con.register("reference_regions", _reference_table(states))
    con.register("configured_states", _states_table(states))
    con.register("reference_settlement_structure", _settlement_structure_table())
    con.register("reference_projection_editions", pa.Table.from_pylist([asdict(e) for e in projection_editions()]))
    con.register("never_negative_measures", pa.table({"measure": sorted(NEVER_NEGATIVE)}))
    boundaries, edition = _boundaries(lake)
    con.register("staged_boundaries", boundaries)
    con.register("staged_edition", edition)


def _stage_lake(con: duckdb.DuckDBPyConnection, lake: Store, entries: list[ManifestEntry]) -> None:
    if not entries:
        con.register("lake_observations", OBSERVATION_SCHEMA.empty_table())
    elif lake.is_local:
        con.execute("SET VARIABLE lake_files = ?", [[lake.full(e.lake_file) for e in entries]])
        con.execute(read_sql("staging/lake_observations.sql"))
    else:
        con.register("lake_observations", _object_store_observations(lake, entries))


EDITION_SCHEMA = pa.schema(
    [
        ("product", pa.string()),
        ("gebietsstand", pa.date32()),
        ("url", pa.string()),
        ("retrieved_at", pa.timestamp("us")),
        ("content_sha256", pa.string()),
        ("attribution", pa.string()),
    ]
)


def _boundaries(lake: Store) -> tuple[pa.Table, pa.Table]:
    """The newest boundary edition in the lake, and its record; empty tables without one."""
    record = current_edition(lake)
    if record is None:
        return BOUNDARY_SCHEMA.empty_table(), EDITION_SCHEMA.empty_table()
    with lake.filesystem.open_input_file(lake.full(record.lake_file)) as handle:
        boundaries = pq.read_table(handle).cast(BOUNDARY_SCHEMA)
    retrieved = datetime.fromisoformat(record.retrieved_at)
    row = {
        "product": record.product,
        "gebietsstand": gebietsstand(record),
        "url": record.url,
        "retrieved_at": retrieved,
        "content_sha256": record.content_sha256,
        "attribution": attribution("bkg", retrieved.year),
    }
    return boundaries, pa.Table.from_pylist([row], schema=EDITION_SCHEMA)


def _object_store_observations(lake: Store, entries: list[ManifestEntry]) -> pads.Dataset:
    """The committed files of a lake in an object store, scanned through pyarrow's file system
    (DuckDB's own S3 reader is an extension it would have to download)."""
    partitioning = pads.partitioning(pa.schema([(name, pa.string()) for name in PARTITION_COLUMNS]), flavor="hive")
    return pads.dataset(
        [lake.full(e.lake_file) for e in entries],
        filesystem=lake.filesystem,
        format="parquet",
        partitioning=partitioning,
        partition_base_dir=lake.full("observations"),
    )


def _manifest_table(entries: list[ManifestEntry]) -> pa.Table:
    types = {"rows": pa.int64(), "synthetic": pa.bool_(), "start_year": pa.int32(), "end_year": pa.int32()}
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ManifestEntry.__dataclass_fields__])
    return pa.Table.from_pylist([asdict(e) for e in entries], schema=schema)


_CATALOG_TYPES = {
    "first_year": pa.int64(),
    "last_year": pa.int64(),
    "fresh_days": pa.int64(),
    "precedence": pa.int64(),
    "sexes_tolerance": pa.int64(),
    "census_measures": pa.list_(pa.string()),
    "projection": pa.bool_(),
    "harmonised": pa.bool_(),
}
CATALOG_SCHEMA = pa.schema(
    (name, _CATALOG_TYPES.get(name, pa.string()))
    for name in (
        "name",
        "topic",
        "source",
        "source_table",
        "title",
        "access",
        "level",
        "measures",
        "first_year",
        "last_year",
        "fresh_days",
        "write_mode",
        "precedence",
        "precedence_reason",
        "licence",
        "notes",
        "census_basis",
        "census_measures",
        "sexes_tolerance",
        "projection",
        "harmonised",
    )
)


def _catalog_table(datasets: Sequence[Dataset]) -> pa.Table:
    rows = [
        {
            "name": d.name,
            "topic": d.topic,
            "source": d.source,
            "source_table": d.table,
            "title": d.title,
            "access": str(d.access),
            "level": d.level,
            "measures": ", ".join(f"{k} -> {v}" for k, v in d.measures.items()),
            "first_year": d.first_year,
            "last_year": d.last_year,
            "fresh_days": d.fresh_days,
            "write_mode": str(d.write),
            "precedence": d.precedence,
            "precedence_reason": d.precedence_reason,
            "licence": d.licence,
            "notes": d.notes,
            "census_basis": d.census_basis,
            "census_measures": list(d.census_measures),
            "projection": d.projection,
            "sexes_tolerance": d.sexes_tolerance,
            "harmonised": d.harmonised,
        }
        for d in datasets
    ]
    return pa.Table.from_pylist(rows, schema=CATALOG_SCHEMA)


def _reference_table(states: Sequence[str]) -> pa.Table:
    rows = [asdict(region) for region in regions() if region.state in states]
    schema = pa.schema(
        [
            ("code", pa.string()),
            ("level", pa.string()),
            ("name", pa.string()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
            ("note", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _states_table(states: Sequence[str]) -> pa.Table:
    return pa.Table.from_pylist([asdict(LAND[state]) for state in states])


def _census_bases_table(states: Sequence[str]) -> pa.Table:
    """One row per census and configured state it was the basis for."""
    rows = [
        {
            "basis": b.basis,
            "census_day": b.census_day,
            "state": state,
            "label": b.label,
            "short_label": b.short_label,
            "evidence": b.evidence,
        }
        for b in census_bases()
        for state in b.states
        if state in states
    ]
    return pa.Table.from_pylist(rows)


def _settlement_structure_table() -> pa.Table:
    rows = [asdict(s) | {"source": SETTLEMENT_STRUCTURE_SOURCE} for s in settlement_structures()]
    return pa.Table.from_pylist(rows)


def _rebasings_table() -> pa.Table:
    return pa.Table.from_pylist([asdict(r) for r in rebasings()])


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0

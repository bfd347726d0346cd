"""The lake: normalised observations as hive-partitioned Parquet, one file per distinct delivery.

lake/observations/source=<s>/source_table=<t>/<sha16>.parquet   the rows (without the two
                                                                  partition columns)
lake/manifest/<s>/<t>/<sha16>.json                               the commit record
lake/manifest-index.json                                         every commit record in one file

A delivery is identified by the sha256 of the flat file it came from, so a re-delivery of the
same bytes writes nothing. The Parquet file is written first and the manifest entry second, both
atomically: a file without its manifest entry (a crash in between) is invisible to the build and
is rewritten by the next load.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from demografie.errors import WarehouseError
from demografie.storage import Store
from demografie.transforms.schema import OBSERVATION_SCHEMA

log = logging.getLogger(__name__)
PARTITION_COLUMNS = ("source", "source_table")
FILE_SCHEMA = pa.schema([f for f in OBSERVATION_SCHEMA if f.name not in PARTITION_COLUMNS])


@dataclass(frozen=True)
class ManifestEntry:
    load_id: str
    dataset: str
    source: str
    source_table: str
    content_sha256: str
    lake_file: str
    raw_file: str
    rows: int
    first_ref_date: str
    last_ref_date: str
    vintage: str
    retrieved_at: str
    written_at: str
    synthetic: bool
    # The years asked of the publisher (None for a file read by hand): change detection sends
    # the vintage of a delivery only for requests that the delivery covers.
    start_year: int | None = None
    end_year: int | None = None
    # The sha256 of the lake file itself (None in records written before it was kept): a Parquet
    # file damaged inside a data page keeps its footer and would be read as other figures.
    lake_sha256: str | None = None
    # Dataset.mapping_for(states) when it was normalised (None in older records): a changed
    # catalog entry or other Länder make the delivery be normalised again from raw/
    mapping: str | None = None
    # the Länder it kept, comma-separated (None in older records: the default two, laender.py)
    states: str | None = None


@dataclass(frozen=True)
class LakeWrite:
    entry: ManifestEntry
    written: bool
    dropped: bool = False  # the same delivery was dropped by hand and is not loaded again


def lake_file(source: str, table: str, sha256: str, mapping: str | None = None) -> str:
    """A delivery's file; one normalised again under a changed catalog entry carries its mapping."""
    suffix = f"-{mapping[:8]}" if mapping else ""
    return f"observations/source={source}/source_table={table}/{sha256[:16]}{suffix}.parquet"


def lake_files(entry: ManifestEntry) -> tuple[str, str]:
    """The names the delivery's file may have (first load, or normalised again)."""
    key = (entry.source, entry.source_table, entry.content_sha256)
    return lake_file(*key), lake_file(*key, mapping=entry.mapping)


def manifest_file(source: str, table: str, sha256: str) -> str:
    return f"manifest/{source}/{table}/{sha256[:16]}.json"


@dataclass
class StagedDelivery:
    """A delivery's Parquet file, complete and checked, in a hidden temporary of the lake: invisible
    to every build until `commit`, gone after `discard`. A batch stages all its files first, so
    that one bad file commits none."""

    lake: Store
    incoming: str
    tally: _Tally
    digest: str
    years: tuple[int, int] | None
    file_sha256: str
    mapping: str | None = None
    states: str | None = None

    @property
    def rows(self) -> int:
        return self.tally.rows

    def commit(self, raw_file: str, on_purpose: bool = False) -> LakeWrite:
        """Give the file its final name and write its manifest entry, unless the lake already
        holds the same delivery, or it was dropped by hand and comes again with no newer vintage
        (unless loaded `on_purpose`: a file a person ingests)."""
        source, table = self.tally.head["source"], self.tally.head["source_table"]
        marker = manifest_file(source, table, self.digest)
        try:
            if self.lake.exists(marker):
                return LakeWrite(read_entry(self.lake, marker), written=False)
            if (dropped := self._dropped()) is not None:
                if not on_purpose and dropped.vintage >= self.tally.head["vintage"].isoformat():
                    return LakeWrite(dropped, written=False, dropped=True)
                self.lake.delete(dropped_file(dropped))
            target = lake_file(source, table, self.digest)
            self.lake.commit(self.incoming, target)
            return _commit(self.lake, self._sealed(target), raw_file, self.years)
        finally:
            self.discard()

    def replace(self, held: ManifestEntry) -> LakeWrite:
        """Put this delivery, normalised again under the current catalog entry, in the place of
        `held` (the same raw answer): the new file first, then its commit record over the old one,
        then the old file goes. A crash in between leaves the old delivery or an orphan file."""
        source, table = self.tally.head["source"], self.tally.head["source_table"]
        try:
            target = lake_file(source, table, self.digest, mapping=self.mapping)
            self.lake.commit(self.incoming, target)
            written = _commit(self.lake, self._sealed(target), held.raw_file, self.years)
            if held.lake_file != target:
                self.lake.delete(held.lake_file)
            return written
        finally:
            self.discard()

    def _sealed(self, target: str) -> _Sealed:
        return _Sealed(self.tally, self.digest, self.file_sha256, target, self.mapping, self.states)

    def discard(self) -> None:
        self.lake.delete(self.incoming)

    def _dropped(self) -> ManifestEntry | None:
        source, table = self.tally.head["source"], self.tally.head["source_table"]
        return next(
            (
                e
                for e in dropped_entries(self.lake)
                if (e.source, e.source_table, e.content_sha256) == (source, table, self.digest)
            ),
            None,
        )


def write_delivery(
    lake: Store,
    observations: pa.Table,
    *,
    content_sha256: str,
    raw_file: str,
    years: tuple[int, int] | None = None,
) -> LakeWrite:
    """Commit observations built in code (the benchmarks' synthetic lakes, test fixtures) as one delivery,
    unless the lake already holds it; a run loads deliveries only from files (`stage_parts`)."""
    return stage_delivery(lake, [observations], lambda: content_sha256, years=years).commit(raw_file)


def stage_delivery(
    lake: Store,
    blocks: Iterable[pa.Table],
    seal: Callable[[], str],
    *,
    years: tuple[int, int] | None = None,
    mapping: str | None = None,
    states: str | None = None,
) -> StagedDelivery:
    """Write a delivery that arrives in blocks (a large file read piece by piece) to a hidden
    temporary, then `seal()`, which checks the whole delivery and returns its content digest.
    Nothing is committed: the caller commits or discards the staged file."""
    incoming = f"incoming/.{uuid.uuid4().hex}.parquet.tmp"
    tally = _Tally()
    try:
        with (
            lake.output(incoming) as stream,
            pq.ParquetWriter(stream, FILE_SCHEMA, compression="zstd", write_statistics=STATISTICS) as writer,
            ThreadPoolExecutor(1, thread_name_prefix="lake-writer") as pool,
        ):
            # one block is written while the next is parsed (both release the GIL): two cores busy,
            # two blocks in memory at most
            writing: Future[None] | None = None
            for block in blocks:
                rows = _file_rows(block)
                if writing is not None:
                    writing.result()
                writing = pool.submit(writer.write_table, rows, row_group_size=ROW_GROUP_ROWS)
                tally.add(block)
            if writing is not None:
                writing.result()
        digest = seal()
        if tally.first is None:
            raise ValueError("seal() must refuse a delivery without rows")
        file_sha256 = lake.sha256(incoming)
    except BaseException:
        lake.delete(incoming)
        raise
    return StagedDelivery(lake, incoming, tally, digest, years, file_sha256, mapping, states)


ROW_GROUP_ROWS = 1 << 20
# min/max per row group where a reader may filter on them; a region's name, the map of source
# codes, status, quality and load id cost the writer time and prune nothing
UNFILTERED = frozenset({"region_name", "source_dims", "status", "quality", "load_id"})
STATISTICS = [name for name in FILE_SCHEMA.names if name not in UNFILTERED]


def _file_rows(observations: pa.Table) -> pa.Table:
    return observations.drop_columns(list(PARTITION_COLUMNS)).cast(FILE_SCHEMA)


class _Tally:
    """What the manifest entry says about a delivery's rows, gathered block by block."""

    def __init__(self) -> None:
        self.first: dict[str, Any] | None = None
        self.rows = 0
        self.dates: list[Any] = []

    @property
    def head(self) -> dict[str, Any]:
        assert self.first is not None, "a staged delivery has rows"
        return self.first

    def add(self, block: pa.Table) -> None:
        if self.first is None:
            self.first = block.slice(0, 1).to_pylist()[0]
        self.rows += block.num_rows
        span = pc.min_max(block.column("ref_date")).as_py()
        self.dates += [span["min"], span["max"]]


@dataclass(frozen=True)
class _Sealed:
    """A staged delivery whose file is in place: what its commit record says of it."""

    tally: _Tally
    digest: str  # of the delivery's content
    file_sha256: str  # of the lake file
    lake_file: str
    mapping: str | None
    states: str | None


def _commit(lake: Store, sealed: _Sealed, raw_file: str, years: tuple[int, int] | None) -> LakeWrite:
    """Write the manifest entry of a delivery whose Parquet file is in place: its commit."""
    tally, digest = sealed.tally, sealed.digest
    first = tally.head
    entry = ManifestEntry(
        load_id=first["load_id"],
        dataset=first["dataset"],
        source=first["source"],
        source_table=first["source_table"],
        content_sha256=digest,
        lake_file=sealed.lake_file,
        raw_file=raw_file,
        rows=tally.rows,
        first_ref_date=str(min(tally.dates)),
        last_ref_date=str(max(tally.dates)),
        vintage=first["vintage"].isoformat(),
        retrieved_at=first["retrieved_at"].isoformat(),
        written_at=datetime.now(UTC).replace(tzinfo=None).isoformat(),
        synthetic=bool(first["synthetic"]),
        start_year=years[0] if years else None,
        end_year=years[1] if years else None,
        lake_sha256=sealed.file_sha256,
        mapping=sealed.mapping,
        states=sealed.states,
    )
    marker = manifest_file(entry.source, entry.source_table, digest)
    lake.write_bytes(marker, json.dumps(asdict(entry), indent=2).encode("utf-8"))
    _update_index(lake, added={marker: entry})
    return LakeWrite(entry, written=True)


class ManifestError(WarehouseError, ValueError):
    """A manifest entry that cannot be read; the message names it and what to do."""


def read_entry(lake: Store, key: str, own_fields: Collection[str] = ()) -> ManifestEntry:
    """One commit record (or a record holding one and `own_fields` of its own). A field of a newer
    version of ours is ignored with a warning (an older program must still build); a damaged
    record is an error that names it."""
    try:
        record = json.loads(lake.read_bytes(key).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(
            f"lake/{key}: damaged manifest entry ({exc}); remove it to build without that delivery, "
            "or restore it from a backup"
        ) from None
    if not isinstance(record, dict):
        raise ManifestError(f"lake/{key}: damaged manifest entry (not a JSON object)")
    known = {f.name for f in fields(ManifestEntry)}
    if unknown := sorted(set(record) - known - set(own_fields)):
        log.warning("lake/%s: ignoring field(s) %s, written by a newer demografie", key, ", ".join(unknown))
    missing = sorted(f.name for f in fields(ManifestEntry) if f.name not in record and f.default is MISSING)
    if missing:
        raise ManifestError(f"lake/{key}: damaged manifest entry, it lacks {', '.join(missing)}")
    return ManifestEntry(**{name: value for name, value in record.items() if name in known})


# Every manifest entry in one file, so that a run reads one object instead of one per delivery (on
# S3, a request each). The entries stay the commit records: the index is trusted only while it
# names exactly the entries a listing finds, and is rebuilt from them otherwise.
INDEX = "manifest-index.json"


Index = dict[str, tuple[str, ManifestEntry]]  # key -> (its stamp in the listing, the entry)


def committed_entries(lake: Store, verified: bool = False) -> list[ManifestEntry]:
    """Every committed delivery, in a stable order: one listing and one read of the index, or
    (`verified`, before anything is deleted on its word) every commit record itself, the index
    rewritten from them."""
    stamps = lake.stamps("manifest", ".json")
    index = None if verified else _read_index(lake)
    if stamps and (index is None or {key: stamp for key, (stamp, _) in index.items()} != stamps):
        index = {key: (stamp, read_entry(lake, key)) for key, stamp in stamps.items()}
        _write_index(lake, index)
    entries = [entry for _, entry in (index or {}).values()] if stamps else []
    return sorted(entries, key=lambda entry: (entry.source, entry.source_table, entry.vintage, entry.retrieved_at))


def _read_index(lake: Store) -> Index | None:
    if not lake.exists(INDEX):
        return None
    try:
        records = json.loads(lake.read_bytes(INDEX).decode("utf-8"))
        return {key: (record["stamp"], ManifestEntry(**record["entry"])) for key, record in records.items()}
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return None  # damaged, or of another version: rebuilt from the entries


def _write_index(lake: Store, index: Index) -> None:
    records = {key: {"stamp": stamp, "entry": asdict(entry)} for key, (stamp, entry) in sorted(index.items())}
    try:
        lake.write_bytes(INDEX, json.dumps(records, indent=1).encode("utf-8"))
    except OSError as exc:  # a reader without write access: the entries still answer
        log.debug("manifest index not written: %s", exc)


def _update_index(lake: Store, added: dict[str, ManifestEntry] | None = None, removed: str | None = None) -> None:
    """Keep the index in step with a commit or a drop (a stale one is rebuilt on the next read)."""
    index = _read_index(lake)
    if index is None:
        return
    stamps = lake.stamps("manifest", ".json") if added else {}
    index.update({key: (stamps.get(key, ""), entry) for key, entry in (added or {}).items()})
    index.pop(removed or "", None)
    _write_index(lake, index)


def file_problem(lake: Store, entry: ManifestEntry) -> str | None:
    """What is wrong with a committed delivery's lake file: missing, or other bytes than the
    commit record's sha256 (None: whole, or written before the sha256 was kept)."""
    if not lake.exists(entry.lake_file):
        return "is missing"
    if entry.lake_sha256 is None:
        return None
    found = lake.sha256(entry.lake_file)
    if found != entry.lake_sha256:
        return (
            f"has other bytes than when it was written (sha256 {found[:16]}…, its commit record says "
            f"{entry.lake_sha256[:16]}…)"
        )
    return None


def orphans(lake: Store, entries: list[ManifestEntry]) -> list[str]:
    """Lake files no manifest entry names: invisible to every build (a run killed between the file
    and its commit; the next load of that delivery rewrites it), or a manifest entry lost."""
    named = {entry.lake_file for entry in entries}
    return [key for key in lake.keys("observations", ".parquet") if key not in named]


def orphan_warning(key: str) -> str:
    return f"lake/{key} has no manifest entry and is not in the warehouse: load its delivery again, or remove it"


class DeliveryNotFoundError(WarehouseError, LookupError):
    def __str__(self) -> str:
        return str(self.args[0])


def find_delivery(lake: Store, delivery: str) -> ManifestEntry:
    """The one committed delivery whose content digest starts with `delivery` (the id that
    `demografie deliveries list` shows), as its commit record says: a damaged index must not
    decide what a drop deletes."""
    entries = committed_entries(lake, verified=True)
    matches = [e for e in entries if e.content_sha256.startswith(delivery.lower())] if delivery else []
    if len(matches) != 1:
        found = ", ".join(f"{e.content_sha256[:16]} ({e.source_table})" for e in matches[:5]) or "none"
        raise DeliveryNotFoundError(
            f"{len(matches)} deliveries match {delivery!r} (found: {found}); give more of the id that "
            "`demografie deliveries list` shows"
        )
    return matches[0]


def drop_delivery(lake: Store, entry: ManifestEntry) -> None:
    """Remove a delivery from the lake: the drop is recorded first (a later run that finds the same
    answer does not load it again), then its commit record goes (the build stops seeing it), then
    its file. The raw answer stays in raw/; `demografie ingest` loads it again on purpose."""
    marker = manifest_file(entry.source, entry.source_table, entry.content_sha256)
    if read_entry(lake, marker) != entry or entry.lake_file not in lake_files(entry):
        raise ManifestError(f"lake/{marker} does not describe the delivery to drop; nothing was deleted")
    record = {**asdict(entry), DROPPED_AT: datetime.now(UTC).replace(tzinfo=None).isoformat()}
    lake.write_bytes(dropped_file(entry), json.dumps(record, indent=2).encode("utf-8"))
    lake.delete(marker)
    _update_index(lake, removed=marker)
    lake.delete(entry.lake_file)


DROPPED = "dropped"
DROPPED_AT = "dropped_at"  # the one field a drop record adds to the commit record it keeps


def dropped_file(entry: ManifestEntry) -> str:
    return f"{DROPPED}/{entry.source}/{entry.source_table}/{entry.content_sha256[:16]}.json"


def dropped_entries(lake: Store) -> list[ManifestEntry]:
    """The deliveries dropped by hand (`deliveries drop`), as they were when dropped."""
    dropped = []
    for key in lake.keys(DROPPED, ".json"):
        try:
            dropped.append(read_entry(lake, key, own_fields=(DROPPED_AT,)))
        except ManifestError as exc:
            log.warning("%s; the drop it records is ignored", exc)
    return dropped


def held_vintage(lake: Store, source: str, table: str, start_year: int, end_year: int) -> datetime | None:
    """The newest vintage we hold of `table` from a request that covered [start_year, end_year]."""
    covering = [
        datetime.fromisoformat(entry.vintage)
        # a dropped delivery is held as far as the publisher is concerned: "nothing newer" keeps it out
        for entry in [*committed_entries(lake), *dropped_entries(lake)]
        if entry.source == source
        and entry.source_table == table
        and entry.start_year is not None
        and entry.end_year is not None
        and entry.start_year <= start_year
        and entry.end_year >= end_year
    ]
    return max(covering, default=None)


@dataclass(frozen=True)
class Holding:
    """What the lake holds of one publisher table."""

    deliveries: int
    latest_vintage: str
    first_ref_date: str
    last_ref_date: str


def holdings(entries: list[ManifestEntry]) -> dict[tuple[str, str], Holding]:
    """(source, table) -> deliveries, newest vintage and date span, for every table in the lake."""
    grouped: dict[tuple[str, str], list[ManifestEntry]] = {}
    for entry in entries:
        grouped.setdefault((entry.source, entry.source_table), []).append(entry)
    return {
        key: Holding(
            deliveries=len(entries),
            latest_vintage=max(e.vintage for e in entries),
            first_ref_date=min(e.first_ref_date for e in entries),
            last_ref_date=max(e.last_ref_date for e in entries),
        )
        for key, entries in grouped.items()
    }

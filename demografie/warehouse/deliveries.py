"""One delivery (a file, or the parts of a split request) through parse -> normalise -> lake.

A v5 flat file, the format of the large tables, is read in blocks: its memory is that of one block
whatever its size. A raw file on local disk is read where it lies; a zip member is copied to a
temporary file first (in TMPDIR), because the reader splits a file among all cores. Every other
format is small and read whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

import pyarrow as pa

from demografie.catalog import Dataset
from demografie.fileio import local_file
from demografie.laender import chosen
from demografie.storage import Store
from demografie.transforms.arrays import prefer_jemalloc
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import FlatFile, iter_ffcsv, iter_ffcsv_file
from demografie.transforms.formats import Format, parse, sniff
from demografie.transforms.normalise import Block, Provenance, VintageBasis, no_rows, normalise, normalise_block
from demografie.transforms.tablecsv import prints_stand
from demografie.warehouse.guards import check_rows
from demografie.warehouse.identity import IdentityLedger
from demografie.warehouse.lake import LakeWrite, StagedDelivery, stage_delivery

# A part is its bytes, or something that opens it as a binary stream (a raw file, a zip member).
Opener = Callable[[], AbstractContextManager[BinaryIO]]
Part = bytes | Opener
HEAD_BYTES = 1 << 16
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Delivery:
    """One delivery on its way to the lake: its parts (one file, or the answers of a split request,
    which cover disjoint years or regions), where they come from, and how to read them."""

    dataset: Dataset
    parts: Sequence[Part]
    provenance: Provenance
    states: Collection[str]
    decimal: str | None = None  # None: read from the values
    years: tuple[int, int] | None = None  # the years asked of the publisher; None for a file


def load_delivery(lake: Store, delivery: Delivery, raw_file: str) -> LakeWrite:
    """Parse and normalise one delivery and commit it to the lake (or find it already there)."""
    return stage_parts(lake, delivery).commit(raw_file)


def stage_parts(lake: Store, delivery: Delivery) -> StagedDelivery:
    """Parse, normalise and check one delivery into a staged lake file, committed by the caller;
    overlapping parts are refused."""
    dataset, provenance, states, decimal, years = (
        delivery.dataset,
        delivery.provenance,
        delivery.states,
        delivery.decimal,
        delivery.years,
    )
    openers = [_opener(part) for part in delivery.parts]
    if all(_is_flat_file(opener, provenance.where) for opener in openers):
        check_vintage(provenance)
        return _stage_streamed(lake, dataset, openers, provenance, states, decimal, years)
    contents = [_read_all(opener) for opener in openers]
    if provenance.basis.yields_to_printed:
        _check_stand_printed(contents, provenance.where, dataset.table)
    parsed = [parse(content, provenance.where, decimal, dataset.row_variable, dataset.table) for content in contents]
    provenance = _printed_vintage(provenance, {p.published for p in parsed})
    check_vintage(provenance)
    observations = pa.concat_tables([normalise(p, provenance, dataset.measures, states) for p in parsed])
    check_rows(observations, provenance.where, dataset.harmonised)
    digest = _digest(contents)
    return stage_delivery(lake, [observations], lambda: digest, years=years, **_normalised_for(dataset, states))


def _normalised_for(dataset: Dataset, states: Collection[str]) -> dict[str, str]:
    """What a delivery's commit record says it was normalised under: the entry and the Länder."""
    return {"mapping": dataset.mapping_for(states), "states": ",".join(chosen(states))}


def _printed_vintage(provenance: Provenance, printed: set[datetime | None]) -> Provenance:
    """The vintage rule of VintageBasis: one Stand printed by every part replaces a weaker vintage."""
    if provenance.basis.yields_to_printed and len(printed) == 1 and (stand := printed.pop()) is not None:
        return replace(provenance, vintage=stand, basis=VintageBasis.PRINTED)
    return provenance


def _check_stand_printed(contents: list[bytes], where: str, table: str) -> None:
    """A table CSV states its vintage in its footer; one whose footer was cut (a file edited by hand)
    must be given it: the file's modification time is when it was edited, not the publisher's Stand."""
    if any(_is_table_csv(content, where, table) and not prints_stand(content) for content in contents):
        raise ParseError(
            where,
            "the table CSV prints no Stand (its footer was cut?): give the publisher's Stand with --vintage; "
            "nothing was loaded",
        )


def _is_table_csv(content: bytes, where: str, table: str) -> bool:
    try:
        return sniff(content, where, table) is Format.TABLE_CSV
    except ParseError:
        return False  # parse() says what the file is


def check_vintage(provenance: Provenance) -> None:
    """A vintage after tomorrow is a typo (2205 for 2025), a broken stamp or a wrong clock: kept, it
    would stay the current version for ever, and sent as `stand` it would make the publisher answer
    "nothing newer" for ever."""
    latest = datetime.now() + timedelta(days=1)
    if provenance.vintage > latest:
        raise ParseError(
            provenance.where,
            f"its vintage {provenance.vintage:%Y-%m-%d %H:%M} lies in the future (after {latest:%Y-%m-%d}): a typo "
            "in --vintage, a wrong Stand in the file, or a wrong clock; nothing was loaded",
        )


def _stage_streamed(
    lake: Store,
    dataset: Dataset,
    openers: list[Opener],
    provenance: Provenance,
    states: Collection[str],
    decimal: str | None,
    years: tuple[int, int] | None,
) -> StagedDelivery:
    where = provenance.where
    digests: list[bytes] = []
    prefer_jemalloc()
    ledger = IdentityLedger()

    def normalised(flat: FlatFile) -> Block | None:
        return normalise_block(flat, provenance, dataset.measures, states)

    def blocks() -> Iterator[pa.Table]:
        # block k is normalised in a second thread while block k + 1 is parsed (both release the GIL)
        with (
            ThreadPoolExecutor(1, thread_name_prefix="normalise") as pool,
            ThreadPoolExecutor(1, thread_name_prefix="digest") as hasher,
        ):
            for opener in openers:
                with opener() as stream:
                    flats, digest = _read_flat(stream, where, decimal, hasher)
                    for block in _one_ahead(pool, flats, normalised):
                        if block is not None:
                            check_rows(block.table, where, dataset.harmonised)
                            ledger.add(block.identity)
                            yield block.table
                    digests.append(digest())

    def seal() -> str:
        if ledger.blocks == 0:
            raise ParseError(where, no_rows(states))
        if repeated := ledger.repeated():
            raise ParseError(where, f"{repeated} observation(s) appear more than once")
        return _combined(digests)

    try:
        return stage_delivery(lake, blocks(), seal, years=years, **_normalised_for(dataset, states))
    finally:
        ledger.close()


def _read_flat(
    stream: BinaryIO, where: str, decimal: str | None, hasher: ThreadPoolExecutor
) -> tuple[Iterator[FlatFile], Callable[[], bytes]]:
    """The blocks of a flat file and, once they are read, the sha256 of its bytes. A local file is
    read by name, without a copy, and hashed in `hasher` beside the parse; any other stream (a zip
    member) is hashed as it is copied for the reader."""
    path = local_file(stream)
    if path is not None:
        digest = hasher.submit(_file_sha256, path)
        return iter_ffcsv_file(path, where, decimal), digest.result
    hashing = _Hashing(stream)

    def read_through() -> bytes:
        hashing.drain()
        return hashing.digest()

    return iter_ffcsv(cast(BinaryIO, hashing), where, decimal), read_through


def _file_sha256(path: Path) -> bytes:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").digest()


def _one_ahead(pool: ThreadPoolExecutor, items: Iterator[T], work: Callable[[T], R]) -> Iterator[R]:
    """`work(item)` for each item in the pool's thread, one item ahead of the consumer."""
    pending: Future[R] | None = None
    for item in items:
        following = pool.submit(work, item)
        if pending is not None:
            yield pending.result()
        pending = following
    if pending is not None:
        yield pending.result()


def _is_flat_file(opener: Opener, where: str) -> bool:
    with opener() as stream:
        head = stream.read(HEAD_BYTES)
    try:
        return sniff(head, where) is Format.FFCSV_V5
    except ParseError:
        return False  # the whole-file path raises the full message


def _opener(part: Part) -> Opener:
    if isinstance(part, bytes):
        return lambda: contextlib.nullcontext(io.BytesIO(part))
    return part


def _read_all(opener: Opener) -> bytes:
    with opener() as stream:
        data: bytes = stream.read()
    return data


class _Hashing:
    """A stream that computes the sha256 of what is read through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._sha.update(data)
        return data

    def drain(self) -> None:
        while self.read(1 << 20):
            pass

    def digest(self) -> bytes:
        return self._sha.digest()


def _combined(digests: list[bytes]) -> str:
    if len(digests) == 1:
        return digests[0].hex()
    return hashlib.sha256(b"".join(digests)).hexdigest()


def _digest(parts: Sequence[bytes]) -> str:
    return _combined([hashlib.sha256(part).digest() for part in parts])

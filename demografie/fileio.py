"""Atomic file writes shared by the raw landing zone and the lake, and what a stream reads from.

A reader (an analyst, DuckDB, the next run) must never see half a file: every write goes to a
hidden temporary name in the target directory, is flushed to disk and then renamed over the
final name, which is atomic on POSIX file systems.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"  # the local file header a zip (and an XLSX workbook) starts with


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling path; rename it to `final` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.parent / f".{final.name}.{uuid.uuid4().hex}.tmp"
    try:
        yield temporary
        fsync_file(temporary)
        os.replace(temporary, final)
        fsync_dir(final.parent)
    finally:
        temporary.unlink(missing_ok=True)


# The temporaries our writers create: `.<name>.<uuid4 hex>.tmp` (atomic_path), `.<uuid4 hex>.tmp`
# (the raw landing) and `.<uuid4 hex>.parquet.tmp` (a staged lake file). Nothing else is ours.
TEMPORARY = re.compile(r"^\.(?:.+\.)?[0-9a-f]{32}(?:\.parquet)?\.tmp$")


def remove_temporaries(root: Path, recursive: bool = True) -> list[Path]:
    """Delete the temporaries a killed writer of ours left in `root` (never visible to readers, but
    they take space); files of any other program, whatever their names, stay. Only safe while
    holding the writer lock: then nobody of ours is writing."""
    if not root.is_dir():
        return []
    candidates = root.rglob(".*.tmp") if recursive else root.glob(".*.tmp")
    found = [p for p in candidates if TEMPORARY.match(p.name) and p.is_file() and not p.is_symlink()]
    for path in found:
        path.unlink(missing_ok=True)
    return found


def atomic_write_bytes(final: Path, data: bytes) -> None:
    with atomic_path(final) as temporary:
        temporary.write_bytes(data)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def local_file(stream: object) -> Path | None:
    """The regular file on local disk that `stream` reads from its start, if it is one: a reader
    can then open it by name instead of being handed its bytes."""
    if not isinstance(stream, io.BufferedReader) or not isinstance(stream.raw, io.FileIO):
        return None
    name = stream.name
    if not isinstance(name, str) or stream.tell() != 0:
        return None
    path = Path(name).absolute()
    return path if path.is_file() else None

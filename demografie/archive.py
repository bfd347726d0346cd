"""Unpacking what a tablefile request returns: a zip with exactly one flat file, or the file."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, BinaryIO, cast

from demografie.catalog import TABLE_CODE_PATTERN
from demografie.errors import SourceLayerError
from demografie.fileio import ZIP_MAGIC
from demografie.tuning import MAX_UNPACKED_BYTES, default

# the unpacked size a zip member may have unless the settings say otherwise
DEFAULT_MAX_BYTES = int(default(MAX_UNPACKED_BYTES))


EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # an archive of no member is only its end record


class ArchiveError(SourceLayerError, ValueError):
    """The zip is broken, empty, holds more than one file, or a member is unsafe."""


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes


# GENESIS names the file in its zip `<table>_<epoch ms>_<lang>_flat.csv` (a job's result
# `<table>_<job number>_flat.csv`)
MEMBER_TABLE = re.compile(f"^({TABLE_CODE_PATTERN})_[0-9]+")


def check_member_table(member: str, table: str) -> None:
    """A member GENESIS named for another table is that table's answer, not the one asked for."""
    match = MEMBER_TABLE.match(PurePosixPath(member).name)
    if match and match.group(1) != table:
        raise ArchiveError(f"the zip holds {member}, the answer for table {match.group(1)}, not for {table}")


def is_zip(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def member_names(data: bytes) -> list[str]:
    """The file names in a zip (none if it is not a readable zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [PurePosixPath(info.filename).name for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, EOFError, zlib.error):
        return []


def unpack_single(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Member:
    """The one file inside a GENESIS zip response, whole (small answers; large ones are read
    through `opened_single`)."""
    with opened_single(io.BytesIO(data), max_bytes) as member:
        return Member(PurePosixPath(member.name).name, member.read())


def unpacking(
    table: str, open_file: Callable[[], BinaryIO], max_bytes: int = DEFAULT_MAX_BYTES
) -> Callable[[], AbstractContextManager[BinaryIO]]:
    """Opens an answer as a stream: the file inside a zip answer (inflated as it is read, and
    refused if GENESIS named it for another table), else the file itself; a workbook is itself a
    zip and stays whole."""

    @contextlib.contextmanager
    def opened() -> Iterator[BinaryIO]:
        with open_file() as file:
            if is_zip(file.read(4)) and not is_workbook(file):
                file.seek(0)
                with opened_single(file, max_bytes) as member:
                    check_member_table(str(getattr(member, "name", "")), table)
                    yield member
            else:
                file.seek(0)
                yield file

    return opened


def is_workbook(file: BinaryIO) -> bool:
    """A zip that is an Excel workbook (read whole by its parser), not a GENESIS answer."""
    try:
        with zipfile.ZipFile(file) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, EOFError, zlib.error):
        return False
    finally:
        file.seek(0)


@contextlib.contextmanager
def opened_single(file: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[BinaryIO]:
    """The one file inside a GENESIS zip answer as a stream: read as it is inflated, so a member
    of gigabytes never sits in memory; reading past `max_bytes` raises ArchiveError."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                names = ", ".join(info.filename for info in members) or "none"
                raise ArchiveError(f"expected exactly one file in the zip, found {names}")
            _check_member(members[0], max_bytes)
            with archive.open(members[0]) as handle:
                yield cast(BinaryIO, _Limited(handle, max_bytes, members[0].filename))
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, zlib.error) as exc:
        raise ArchiveError(f"broken zip: {exc}") from exc


class _Limited(io.RawIOBase):
    """A member stream that refuses to inflate past the limit (a zip bomb lies in its header)."""

    def __init__(self, handle: IO[bytes], limit: int, name: str) -> None:
        super().__init__()
        self._handle, self._limit, self._read = handle, limit, 0
        self.name = name  # as a file's, the member's path in the zip

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self._handle.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self._handle.readline, size)

    def _counted(self, read: Any, size: int | None) -> bytes:
        # never ask for more than one byte past the limit, so that a bomb cannot fill the memory
        allowed = self._limit - self._read + 1
        wanted = allowed if size is None or size < 0 else min(size, allowed)
        try:
            data: bytes = read(wanted)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise ArchiveError(f"broken zip: {exc}") from exc
        self._read += len(data)
        if self._read > self._limit:
            raise ArchiveError(
                f"zip member {self.name!r} unpacks to more than the limit of {self._limit} bytes ({MAX_UNPACKED_BYTES})"
            )
        return data


def _check_member(info: zipfile.ZipInfo, max_bytes: int) -> None:
    path = PurePosixPath(info.filename)
    if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
        raise ArchiveError(f"unsafe path in zip: {info.filename!r}")
    if info.file_size > max_bytes:
        raise ArchiveError(
            f"zip member {info.filename!r} declares {info.file_size} bytes, more than the limit "
            f"of {max_bytes} ({MAX_UNPACKED_BYTES})"
        )

"""Unpacking what a tablefile request returns: a zip with exactly one flat file, or the file."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

# The largest Regionaldatenbank flat files are tens of MB; anything far larger is a zip bomb.
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_BYTES_ENV = "DEMOGRAFIE_MAX_UNPACKED_BYTES"


def max_member_bytes() -> int:
    """The unpacked size a zip member may have (`DEMOGRAFIE_MAX_UNPACKED_BYTES`, default 2 GiB)."""
    return int(os.environ.get(MAX_BYTES_ENV, MAX_MEMBER_BYTES))
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # an archive of no member is only its end record


class ArchiveError(ValueError):
    """The zip is broken, empty, holds more than one file, or a member is unsafe."""


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def unpack_single(data: bytes, max_bytes: int | None = None) -> Member:
    """The one file inside a GENESIS zip response."""
    max_bytes = max_member_bytes() if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                names = ", ".join(info.filename for info in members) or "none"
                raise ArchiveError(f"expected exactly one file in the zip, found {names}")
            info = members[0]
            _check_member(info, max_bytes)
            with archive.open(info) as handle:
                content = handle.read(max_bytes + 1)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, zlib.error) as exc:
        raise ArchiveError(f"broken zip: {exc}") from exc
    if len(content) > max_bytes:
        raise ArchiveError(f"zip member {info.filename!r} unpacks to more than the limit of {max_bytes} bytes "
                           f"({MAX_BYTES_ENV})")  # fmt: skip
    return Member(PurePosixPath(info.filename).name, content)


def _check_member(info: zipfile.ZipInfo, max_bytes: int) -> None:
    path = PurePosixPath(info.filename)
    if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
        raise ArchiveError(f"unsafe path in zip: {info.filename!r}")
    if info.file_size > max_bytes:
        raise ArchiveError(f"zip member {info.filename!r} declares {info.file_size} bytes, more than the limit "
                           f"of {max_bytes} ({MAX_BYTES_ENV})")  # fmt: skip

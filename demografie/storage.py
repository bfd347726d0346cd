"""Where raw answers and the lake are kept: a local (or mounted) directory, or an S3-compatible
bucket, both through pyarrow's file systems.

Writes are atomic on both. Locally a file is written under a hidden temporary name and renamed
(`fileio`); an object store makes an object visible only once its upload completes, so a crash
mid-upload leaves nothing a reader could list. Keys are relative, '/'-separated paths.

Credentials for an object store come from the environment (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY or the usual AWS configuration), never from the location URI: the URI is
shown in logs and status output, so a URI that carries a secret is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import parse_qs, urlsplit

import pyarrow.fs as pafs

from demografie.errors import DemografieError
from demografie.fileio import atomic_path, fsync_dir, fsync_file

SECRET_QUERY_KEYS = frozenset({"access_key", "secret_key", "session_token"})


class StorageLocationError(DemografieError, ValueError):
    """A storage location that cannot be used, with the reason."""


@dataclass(frozen=True)
class Store:
    """A directory of keys on one file system."""

    filesystem: pafs.FileSystem
    root: str
    display: str

    @classmethod
    def at(cls, location: str | Path) -> Store:
        """A store for a local path or a URI such as
        `s3://bucket/prefix?endpoint_override=minio.local:9000&scheme=http`."""
        text = str(location)
        if "://" not in text:
            path = Path(text).resolve()
            return cls(pafs.LocalFileSystem(), path.as_posix(), str(path))
        _refuse_secrets(text)
        try:
            filesystem, root = pafs.FileSystem.from_uri(text)
        except (ValueError, OSError) as exc:
            raise StorageLocationError(f"storage location {_public(text)}: {exc}") from exc
        return cls(filesystem, root.rstrip("/"), _public(text))

    @property
    def is_local(self) -> bool:
        return isinstance(self.filesystem, pafs.LocalFileSystem)

    def child(self, name: str) -> Store:
        return Store(self.filesystem, f"{self.root}/{name}", f"{self.display.rstrip('/')}/{name}")

    def full(self, key: str) -> str:
        """The file system path of `key` (what pyarrow and DuckDB open)."""
        return f"{self.root}/{_checked(key)}"

    def describe(self, key: str) -> str:
        """Where `key` is, for messages: a path or a URI without its query."""
        return f"{self.display.rstrip('/')}/{key}"

    def exists(self, key: str) -> bool:
        return bool(self.filesystem.get_file_info(self.full(key)).type == pafs.FileType.File)

    def read_bytes(self, key: str) -> bytes:
        with self.filesystem.open_input_stream(self.full(key)) as stream:
            data: bytes = stream.read()
        return data

    def write_bytes(self, key: str, data: bytes) -> None:
        with self.writing(key) as sink:
            if isinstance(sink, Path):
                sink.write_bytes(data)
            else:
                with self.filesystem.open_output_stream(sink) as stream:
                    stream.write(data)

    @contextlib.contextmanager
    def writing(self, key: str) -> Iterator[Path | str]:
        """Yield where to write `key`: a temporary local Path renamed on success, or the object
        path itself (an object appears only when its upload completes)."""
        if self.is_local:
            with atomic_path(Path(self.full(key))) as temporary:
                yield temporary
        else:
            yield self.full(key)

    def open_input(self, key: str) -> BinaryIO:
        """A seekable binary file of `key` (zip members are read from it without loading it)."""
        if self.is_local:
            return open(self.full(key), "rb")  # the caller closes it
        return cast(BinaryIO, io.BufferedReader(_PythonSeekable(self.filesystem.open_input_file(self.full(key)))))

    def sha256(self, key: str) -> str:
        """The sha256 of `key`'s bytes, read in blocks."""
        digest = hashlib.sha256()
        with self.filesystem.open_input_stream(self.full(key)) as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    @contextlib.contextmanager
    def output(self, key: str) -> Iterator[Any]:
        """A binary stream that writes `key` directly: for temporaries, then `commit`."""
        full = self.full(key)
        if self.is_local:
            self.filesystem.create_dir(posixpath.dirname(full), recursive=True)
        with self.filesystem.open_output_stream(full) as stream:
            yield stream

    def commit(self, temporary: str, key: str) -> None:
        """Give a finished temporary its final key, atomically (a rename; an object store's copy
        appears whole)."""
        source, target = self.full(temporary), self.full(key)
        if self.is_local:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            fsync_file(Path(source))
            os.replace(source, target)
            fsync_dir(Path(target).parent)
        else:
            self.filesystem.move(source, target)

    def delete(self, key: str) -> None:
        if self.filesystem.get_file_info(self.full(key)).type == pafs.FileType.File:
            self.filesystem.delete_file(self.full(key))

    def keys(self, directory: str, suffix: str = "") -> list[str]:
        """Every key below `directory` ending in `suffix`, sorted; hidden temporaries excluded."""
        return sorted(self.stamps(directory, suffix))

    def stamps(self, directory: str, suffix: str = "") -> dict[str, str]:
        """Every key below `directory` ending in `suffix`, with its size and modification time as
        the listing gives them (one request on an object store): a file rewritten in place changes
        its stamp."""
        selector = pafs.FileSelector(
            self.full(directory) if directory else self.root, recursive=True, allow_not_found=True
        )
        return {
            posixpath.relpath(info.path, self.root): f"{info.size}:{info.mtime_ns}"
            for info in self.filesystem.get_file_info(selector)
            if info.type == pafs.FileType.File and info.path.endswith(suffix) and not info.base_name.startswith(".")
        }


class _PythonSeekable(io.RawIOBase):
    """A pyarrow file with Python's file semantics (zipfile relies on OSError for a bad seek)."""

    def __init__(self, native: Any) -> None:
        super().__init__()
        self._native = native

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._native.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        target = {0: offset, 1: self._native.tell() + offset, 2: self._native.size() + offset}[whence]
        if target < 0:
            raise OSError(f"invalid position {target}")
        return int(self._native.seek(target))

    def tell(self) -> int:
        return int(self._native.tell())

    def close(self) -> None:
        self._native.close()
        super().close()


def _checked(key: str) -> str:
    parts = key.split("/")
    if key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise StorageLocationError(f"storage key {key!r} is not a plain relative path")
    return key


def _refuse_secrets(uri: str) -> None:
    split = urlsplit(uri)
    if split.username or split.password or SECRET_QUERY_KEYS & set(parse_qs(split.query)):
        raise StorageLocationError(
            f"storage location {_public(uri)} carries credentials; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment instead"
        )


def _public(uri: str) -> str:
    split = urlsplit(uri)
    return f"{split.scheme}://{split.hostname or ''}{split.path}"

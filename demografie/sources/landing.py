"""The raw landing zone: every answer byte-exact, next to a JSON sidecar that says how it was
obtained (request parameters, never credentials; retrieval time; sha256; publisher vintage)."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from demografie.archive import is_zip
from demografie.sources.genesis import Download
from demografie.storage import Store

COPY_CHUNK = 8 << 20

# Parameters that must never reach a file even if a caller put them into the form by mistake.
SECRET_KEYS = frozenset({"username", "password", "token"})


@dataclass(frozen=True)
class RequestPart:
    """Part `part` of `parts` of the answer to request `key` (request_key), as the sidecar says it."""

    key: str
    part: int
    parts: int


def request_key(table: str, years: tuple[int, int], states: list[str], vintage: datetime | None) -> str:
    """What makes two answers interchangeable: table, years, states and the publisher's vintage."""
    return f"{table}|{years[0]}-{years[1]}|{','.join(states)}|{vintage.isoformat() if vintage else '-'}"


def key_years(key: str) -> tuple[int, int] | None:
    """The years of a `request_key`; None for a key of another form."""
    parts = key.split("|")
    start, _, end = parts[1].partition("-") if len(parts) == 4 else ("", "", "")
    return (int(start), int(end)) if start.isdigit() and end.isdigit() else None


@dataclass(frozen=True)
class Landed:
    key: str  # relative to the raw store
    sidecar: str
    sha256: str


def land(
    raw: Store,
    *,
    publisher: str,
    table: str,
    content: bytes | Path,
    retrieved_at: datetime,
    vintage: datetime | None,
    origin: dict[str, Any],
    suffix: str,
) -> Landed:
    """Write `content` (bytes, or a file copied as a stream) as <publisher>/<table>/<time>_<sha>.<suffix>
    with its sidecar, both atomically and the content first, so a sidecar never points to a
    missing file."""
    folder = f"{publisher}/{table}"
    temporary = f"{folder}/.{uuid.uuid4().hex}.tmp"  # hidden from listings; a leftover goes at the next run
    try:
        digest, size = _write_hashed(raw, temporary, content)
        stem = f"{retrieved_at:%Y%m%dT%H%M%S%f}_{digest[:16]}"
        key, sidecar = f"{folder}/{stem}{suffix}", f"{folder}/{stem}.json"
        raw.commit(temporary, key)
    finally:
        raw.delete(temporary)
    meta = {
        "publisher": publisher,
        "table": table,
        "file": f"{stem}{suffix}",
        "bytes": size,
        "sha256": digest,
        "retrieved_at": retrieved_at.isoformat(),
        "source_vintage": vintage.isoformat() if vintage else None,
        **{key: _scrub(value) for key, value in origin.items()},
    }
    raw.write_bytes(sidecar, json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"))
    return Landed(key, sidecar, digest)


def _write_hashed(raw: Store, temporary: str, content: bytes | Path) -> tuple[str, int]:
    """Write `content` to `temporary`, a file read once as a stream (a flat file of gigabytes is
    never held); its sha256 and size, which name the landed file."""
    sha, size = hashlib.sha256(), 0
    source = content.open("rb") if isinstance(content, Path) else io.BytesIO(content)
    with raw.output(temporary) as sink, source:
        while chunk := source.read(COPY_CHUNK):
            sha.update(chunk)
            sink.write(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def land_download(
    raw: Store, table: str, download: Download, vintage: datetime | None, request: RequestPart | None = None
) -> Landed:
    """Land a publisher's answer with how it was asked for (never the credentials)."""
    origin: dict[str, Any] = {"url": download.url, "params": download.params, "content_type": download.content_type}
    if request is not None:
        origin["request"] = asdict(request)
    return land(
        raw,
        publisher=download.publisher,
        table=table,
        content=download.content,
        retrieved_at=download.retrieved_at,
        vintage=vintage,
        origin=origin,
        suffix=".zip" if is_zip(download.content) else ".csv",
    )


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k.lower() not in SECRET_KEYS}
    return value


def last_asked(raw: Store, publisher: str, table: str, years: tuple[int, int]) -> datetime | None:
    """When the publisher last answered a request for `table` that covered `years` (the raw sidecars
    of the GENESIS route say which request each answer belongs to); None if never."""
    asked = []
    for sidecar in raw.keys(f"{publisher}/{table}", ".json"):
        meta = json.loads(raw.read_bytes(sidecar).decode("utf-8"))
        span = key_years(str((meta.get("request") or {}).get("key", "")))
        if span is not None and span[0] <= years[0] and span[1] >= years[1]:
            asked.append(datetime.fromisoformat(meta["retrieved_at"]))
    return max(asked, default=None)


def landed_parts(raw: Store, publisher: str, table: str, key_wanted: str) -> list[str] | None:
    """The raw files of an earlier, complete answer to the same request (same table, parameters
    and publisher vintage), in part order; None if there is none. A run that is retried after its
    fetch succeeded loads these instead of asking the publisher again."""
    parts: dict[int, tuple[int, str]] = {}
    for sidecar in raw.keys(f"{publisher}/{table}", ".json"):
        meta = json.loads(raw.read_bytes(sidecar).decode("utf-8"))
        request = meta.get("request") or {}
        if request.get("key") != key_wanted:
            continue
        key = f"{publisher}/{table}/{meta['file']}"
        if raw.exists(key) and hashlib.sha256(raw.read_bytes(key)).hexdigest() == meta["sha256"]:
            part = RequestPart(**request)
            parts[part.part] = (part.parts, key)
    if not parts:
        return None
    total = next(iter(parts.values()))[0]
    if sorted(parts) != list(range(total)):
        return None
    return [parts[i][1] for i in range(total)]

"""The raw landing zone: every answer byte-exact, next to a JSON sidecar that says how it was
obtained (request parameters, never credentials; retrieval time; sha256; publisher vintage)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from demografie.fileio import atomic_write_bytes

# Parameters that must never reach a file even if a caller put them into the form by mistake.
SECRET_KEYS = frozenset({"username", "password", "token"})


@dataclass(frozen=True)
class Landed:
    path: Path
    sidecar: Path
    sha256: str


def land(
    raw_root: Path,
    *,
    publisher: str,
    table: str,
    content: bytes,
    retrieved_at: datetime,
    vintage: datetime | None,
    origin: dict[str, Any],
    suffix: str,
) -> Landed:
    """Write `content` under raw/<publisher>/<table>/ with its sidecar; both atomically."""
    digest = hashlib.sha256(content).hexdigest()
    stem = f"{retrieved_at:%Y%m%dT%H%M%S%f}_{digest[:16]}"
    directory = raw_root / publisher / table
    path = directory / f"{stem}{suffix}"
    sidecar = directory / f"{stem}.json"
    meta = {
        "publisher": publisher,
        "table": table,
        "file": path.name,
        "bytes": len(content),
        "sha256": digest,
        "retrieved_at": retrieved_at.isoformat(),
        "source_vintage": vintage.isoformat() if vintage else None,
        **{key: _scrub(value) for key, value in origin.items()},
    }
    atomic_write_bytes(path, content)
    atomic_write_bytes(sidecar, json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"))
    return Landed(path, sidecar, digest)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k.lower() not in SECRET_KEYS}
    return value


def landed_parts(raw_root: Path, publisher: str, table: str, request_key: str) -> list[Path] | None:
    """The raw files of an earlier, complete answer to the same request (same table, parameters
    and publisher vintage), in part order; None if there is none. A run that is retried after its
    fetch succeeded loads these instead of asking the publisher again."""
    parts: dict[int, tuple[int, Path]] = {}
    for sidecar in sorted((raw_root / publisher / table).glob("*.json")):
        meta = json.loads(sidecar.read_text("utf-8"))
        request = meta.get("request") or {}
        if request.get("key") != request_key:
            continue
        path = sidecar.with_name(str(meta["file"]))
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == meta["sha256"]:
            parts[int(request["part"])] = (int(request["parts"]), path)
    if not parts:
        return None
    total = next(iter(parts.values()))[0]
    if sorted(parts) != list(range(total)):
        return None
    return [parts[i][1] for i in range(total)]

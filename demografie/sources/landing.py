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

"""Load a boundary edition: read and check it, land the archive byte-exact in raw/bkg/, keep its
Kreise and Länder in the lake. The next build puts them into the warehouse (geo.boundaries)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from demografie.settings import Paths
from demografie.sources.geodata import PUBLISHER, Archive
from demografie.sources.landing import land
from demografie.transforms.boundaries import MAX_MEMBER_BYTES, read_edition
from demografie.warehouse.geolake import EditionRecord, editions, write_edition


@dataclass(frozen=True)
class GeodataLoad:
    record: EditionRecord
    written: bool  # False: the same archive was loaded before


def load_geodata(paths: Paths, archive: Archive, max_bytes: int = MAX_MEMBER_BYTES) -> GeodataLoad:
    """Nothing is landed or kept unless the whole package reads: a broken archive leaves no trace.
    No member may unpack to more than `max_bytes` (DEMOGRAFIE_MAX_UNPACKED_BYTES)."""
    edition = read_edition(archive.content, f"{PUBLISHER}: {archive.url}", max_bytes=max_bytes)
    digest = hashlib.sha256(archive.content).hexdigest()
    held = [r for r in editions(paths.lake) if r.content_sha256 == digest and paths.lake.exists(r.lake_file)]
    if held:
        return GeodataLoad(held[0], written=False)
    landed = land(
        paths.raw,
        publisher=PUBLISHER,
        table=edition.product,
        content=archive.content,
        retrieved_at=archive.retrieved_at,
        vintage=None,
        origin={"url": archive.url, "product": edition.product, "gebietsstand": edition.gebietsstand.isoformat()},
        suffix=".zip",
    )
    record = write_edition(
        paths.lake,
        edition,
        content_sha256=digest,
        raw_file=f"raw/{landed.key}",
        url=archive.url,
        retrieved_at=archive.retrieved_at,
    )
    return GeodataLoad(record, written=True)

"""Boundary editions in the lake, beside the observations:

lake/geodata/<product>/<sha16>.parquet   the Kreise and Länder (transforms.boundaries.BOUNDARY_SCHEMA)
lake/geodata/<product>/<sha16>.json      its record: Gebietsstand, source URL, retrieval time, raw file

The Parquet file is written first and the record second, both atomically, as for deliveries. The
build draws with the newest Gebietsstand (the newest retrieval among equals).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime

import pyarrow.parquet as pq

from demografie.storage import Store
from demografie.transforms.boundaries import Edition

DIRECTORY = "geodata"


@dataclass(frozen=True)
class EditionRecord:
    product: str
    gebietsstand: str
    content_sha256: str
    lake_file: str
    raw_file: str
    url: str
    retrieved_at: str
    regions: int


def write_edition(
    lake: Store, edition: Edition, *, content_sha256: str, raw_file: str, url: str, retrieved_at: datetime
) -> EditionRecord:
    stem = f"{DIRECTORY}/{edition.product}/{content_sha256[:16]}"
    record = EditionRecord(
        product=edition.product,
        gebietsstand=edition.gebietsstand.isoformat(),
        content_sha256=content_sha256,
        lake_file=f"{stem}.parquet",
        raw_file=raw_file,
        url=url,
        retrieved_at=retrieved_at.isoformat(),
        regions=edition.boundaries.num_rows,
    )
    with lake.writing(record.lake_file) as sink:
        pq.write_table(edition.boundaries, str(sink), compression="zstd", filesystem=lake.filesystem)
    lake.write_bytes(f"{stem}.json", json.dumps(asdict(record), indent=2).encode("utf-8"))
    return record


def editions(lake: Store) -> list[EditionRecord]:
    """Every edition held, oldest Gebietsstand first."""
    records = [EditionRecord(**json.loads(lake.read_bytes(key))) for key in lake.keys(DIRECTORY, ".json")]
    return sorted(records, key=lambda r: (r.gebietsstand, r.retrieved_at))


def current_edition(lake: Store) -> EditionRecord | None:
    held = [r for r in editions(lake) if lake.exists(r.lake_file)]
    return held[-1] if held else None


def gebietsstand(record: EditionRecord) -> date:
    return date.fromisoformat(record.gebietsstand)

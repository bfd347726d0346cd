"""One delivery (a file, or the parts of a split request) through parse -> normalise -> lake."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import replace

import pyarrow as pa

from demografie.catalog import Dataset
from demografie.storage import Store
from demografie.transforms.formats import parse
from demografie.transforms.normalise import Provenance, normalise
from demografie.warehouse.lake import LakeWrite, write_delivery


def load_delivery(
    lake: Store,
    dataset: Dataset,
    parts: Sequence[bytes],
    provenance: Provenance,
    states: Collection[str],
    raw_file: str,
    decimal: str | None = None,
    prefer_published: bool = False,
    years: tuple[int, int] | None = None,
) -> LakeWrite:
    """Parse and normalise the parts of one delivery (one file, or the answers of a split request)
    and commit them to the lake as one delivery (or find it already there).

    With `prefer_published`, the Stand printed in the file (table CSVs have one) replaces the
    provenance's vintage, which is then only a fallback such as the file's modification time.
    Parts of a split request cover disjoint years or regions; the build's identity check would
    still catch an overlap.
    """
    parsed = [parse(part, provenance.where, decimal) for part in parts]
    published = {p.published for p in parsed}
    if prefer_published and len(published) == 1 and (stand := published.pop()) is not None:
        provenance = replace(provenance, vintage=stand)
    observations = pa.concat_tables([normalise(p, provenance, dataset.measures, states) for p in parsed])
    return write_delivery(lake, observations, content_sha256=_digest(parts), raw_file=raw_file, years=years)


def _digest(parts: Sequence[bytes]) -> str:
    if len(parts) == 1:
        return hashlib.sha256(parts[0]).hexdigest()
    return hashlib.sha256(b"".join(hashlib.sha256(part).digest() for part in parts)).hexdigest()

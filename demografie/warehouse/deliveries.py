"""One delivery (a flat file) through parse -> normalise -> lake."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path

from demografie.catalog import Dataset
from demografie.transforms.ffcsv import parse_ffcsv
from demografie.transforms.normalise import Provenance, normalise
from demografie.warehouse.lake import LakeWrite, write_delivery


def load_delivery(
    lake: Path,
    dataset: Dataset,
    flat: bytes,
    provenance: Provenance,
    states: Collection[str],
    raw_file: str,
    decimal: str | None = None,
) -> LakeWrite:
    """Parse and normalise `flat` and commit it to the lake (or find it already there)."""
    parsed = parse_ffcsv(flat, provenance.where, decimal)
    observations = normalise(parsed, provenance, dataset.measures, states)
    digest = hashlib.sha256(flat).hexdigest()
    return write_delivery(lake, observations, content_sha256=digest, raw_file=raw_file)

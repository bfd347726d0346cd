"""Reference data shipped with the package: facts, not figures (codes and names of regions)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    name: str

    @property
    def state(self) -> str:
        return self.code[:2]


def regions() -> list[Region]:
    """Land, Regierungsbezirke/statistical regions and current Kreise of Hessen and Sachsen,
    as named by the Regionaldatenbank (state of 2025)."""
    text = (resources.files("demografie") / "reference" / "regions.csv").read_text("utf-8")
    return [Region(**row) for row in csv.DictReader(io.StringIO(text), delimiter=";")]

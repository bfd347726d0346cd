"""Reference data shipped with the package: facts, not figures (codes, names and validity of regions).

regions.csv: Land, Regierungsbezirke/statistical regions and Kreise of Hessen and Sachsen as the
Regionaldatenbank names them, each with the period in which it existed with that territory:
Saxony's Kreise and Regierungsbezirke until the Kreisreform of 1 August 2008 (codes and names as
the Regionaldatenbank still lists them), the Kreise formed then, and Hanau leaving the
Main-Kinzig-Kreis as Kreis 06415 on 1 January 2026 (so 06435 has two periods). An empty
`valid_from` means "before any data we load"; an empty `valid_to` means "still exists".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    name: str
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = ""

    @property
    def state(self) -> str:
        return self.code[:2]

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def regions() -> list[Region]:
    """Every region period of the reference, in code order."""
    text = (resources.files("demografie") / "reference" / "regions.csv").read_text("utf-8")
    return [
        Region(
            code=row["code"],
            level=row["level"],
            name=row["name"],
            valid_from=date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            note=row["note"],
        )
        for row in csv.DictReader(io.StringIO(text), delimiter=";")
    ]


def regions_on(day: date, level: str | None = None) -> list[Region]:
    """The regions that existed on `day` (one period per code), optionally of one level."""
    return [r for r in regions() if r.exists_on(day) and (level is None or r.level == level)]

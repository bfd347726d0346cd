"""Where data lives. One home directory holds raw/, lake/ and the warehouse file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "DEMOGRAFIE_HOME"
DEFAULT_HOME = Path("data")
WAREHOUSE_FILE = "warehouse.duckdb"


@dataclass(frozen=True)
class Paths:
    """The directory layout under one data home."""

    home: Path

    @classmethod
    def from_env(cls, home: str | Path | None = None) -> Paths:
        chosen = home if home is not None else os.environ.get(HOME_ENV, str(DEFAULT_HOME))
        return cls(Path(chosen).resolve())

    @property
    def raw(self) -> Path:
        return self.home / "raw"

    @property
    def lake(self) -> Path:
        return self.home / "lake"

    @property
    def warehouse(self) -> Path:
        return self.home / WAREHOUSE_FILE

    def ensure(self) -> None:
        for directory in (self.home, self.raw, self.lake):
            directory.mkdir(parents=True, exist_ok=True)

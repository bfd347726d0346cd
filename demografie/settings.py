"""Where data lives. One home directory holds the warehouse file, the run log and the writer lock;
raw/ and lake/ sit in the home too, or under DEMOGRAFIE_STORAGE (a shared path or an
S3-compatible URI) when several machines share them."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from demografie.storage import Store

HOME_ENV = "DEMOGRAFIE_HOME"
STORAGE_ENV = "DEMOGRAFIE_STORAGE"
DEFAULT_HOME = Path("data")
WAREHOUSE_FILE = "warehouse.duckdb"


@dataclass(frozen=True)
class Paths:
    """The layout under one data home, and where its raw answers and lake are stored."""

    home: Path
    storage: str | None = None

    @classmethod
    def from_env(cls, home: str | Path | None = None) -> Paths:
        chosen = home if home is not None else os.environ.get(HOME_ENV, str(DEFAULT_HOME))
        return cls(Path(chosen).resolve(), os.environ.get(STORAGE_ENV) or None)

    @property
    def store(self) -> Store:
        return _store(self.storage or str(self.home))

    @property
    def raw(self) -> Store:
        return self.store.child("raw")

    @property
    def lake(self) -> Store:
        return self.store.child("lake")

    @property
    def warehouse(self) -> Path:
        return self.home / WAREHOUSE_FILE

    def ensure(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)


@functools.lru_cache(maxsize=8)
def _store(location: str) -> Store:
    # An object store's client is set up once per process, not once per file.
    return Store.at(location)

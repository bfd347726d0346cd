"""Where data lives. One home directory holds the warehouse file, the run log and the writer lock;
raw/ and lake/ sit in the home too, or under DEMOGRAFIE_STORAGE (a shared path or an
S3-compatible URI) when several machines share them."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from demografie.errors import DemografieError
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
        where = "--home" if home is not None else HOME_ENV if HOME_ENV in os.environ else "the default data home"
        resolved = Path(chosen).resolve()
        if resolved.exists() and not resolved.is_dir():
            raise HomeError(
                f"{where} {chosen} is a file, not a directory: point it at a folder for raw/, lake/ "
                "and the warehouse (it is created if missing)"
            )
        return cls(resolved, os.environ.get(STORAGE_ENV) or None)

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
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise HomeError(f"cannot create the data home {self.home}: a part of that path is a file") from None


class HomeError(DemografieError, ValueError):
    """The data home cannot be a directory (it, or a folder above it, is a file)."""


@functools.lru_cache(maxsize=8)
def _store(location: str) -> Store:
    # An object store's client is set up once per process, not once per file.
    return Store.at(location)

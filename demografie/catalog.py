"""The datasets we load, declared as data.

Each entry names the publisher route, the publisher's table code, how its value variables map to
harmonised measures, how far back the table reaches, how many recent years the nightly run asks
for, and its write semantics. Adding a dataset of a known format means adding an entry here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

STATES: Mapping[str, str] = MappingProxyType({"06": "Hessen", "14": "Sachsen"})

LICENCES: Mapping[str, str] = MappingProxyType(
    {
        "regio": "Datenlizenz Deutschland – Namensnennung – Version 2.0; "
        "© Statistische Ämter des Bundes und der Länder, Deutschland",
        "destatis": "Datenlizenz Deutschland – Namensnennung – Version 2.0; © Statistisches Bundesamt (Destatis)",
    }
)


class WriteMode(StrEnum):
    """How a new delivery of a table relates to what the lake already holds."""

    # Every delivery is kept; a figure whose value, symbol or quality mark changed becomes a new
    # version of the same observation, an identical re-delivery adds nothing.
    VERSIONED = "versioned"


@dataclass(frozen=True)
class Dataset:
    name: str
    source: str
    table: str
    title: str
    measures: Mapping[str, str]
    first_year: int
    nightly_years: int = 3
    write: WriteMode = WriteMode.VERSIONED
    notes: str = ""

    @property
    def licence(self) -> str:
        return LICENCES[self.source]


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="population",
        source="regio",
        table="12411-01-01-4",
        title="Bevölkerung nach Geschlecht, Stichtag 31.12., Kreise und krfr. Städte",
        measures=MappingProxyType({"BEVSTD": "population"}),
        first_year=1995,
        notes="Since the 2025 v5 format the table carries Kreise only (no Land rows).",
    ),
    Dataset(
        name="employees_workplace",
        source="regio",
        table="13111-01-03-4",
        title="Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht und "
        "Nationalität, Stichtag 30.06., Kreise und krfr. Städte",
        measures=MappingProxyType({"ERW032": "employees"}),
        first_year=2008,
        notes="The latest Stichtag is often '-' at Kreis level while Land rows have figures.",
    ),
)


class UnknownDatasetError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def select(names: Iterable[str] | None = None) -> tuple[Dataset, ...]:
    """Datasets by name (or table code); all of them when `names` is None."""
    if names is None:
        return DATASETS
    return tuple(find(name) for name in names)


def find(name_or_table: str) -> Dataset:
    for dataset in DATASETS:
        if name_or_table in (dataset.name, dataset.table):
            return dataset
    known = ", ".join(f"{d.name} ({d.table})" for d in DATASETS)
    raise UnknownDatasetError(f"unknown dataset or table {name_or_table!r}; known: {known}")

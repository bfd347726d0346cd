"""The datasets we load, declared as data in catalog.toml (and a user catalog beside it).

Each entry names the publisher route, the publisher's table code, how its value variables map to
harmonised measures, how far back the table reaches, how many recent years the nightly run asks
for, and its write semantics. Adding a table of a known format is one entry: in catalog.toml for
the project, in the user catalog ($DEMOGRAFIE_CATALOG or <home>/catalog.toml) for one installation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from demografie.errors import DemografieError
from demografie.laender import DEFAULT_STATES, chosen
from demografie.registry import of_figures
from demografie.settings import Settings

LICENCES: Mapping[str, str] = MappingProxyType({entry.key: entry.licence for entry in of_figures()})

# The publishers' table-code patterns (Regionaldatenbank incl. Regionalatlas, Destatis, Sachsen's
# own codes, our names for HSL publications). Any code that reaches a path or SQL must match one.
TABLE_CODE_PATTERN = (
    r"\d{5}-\d{2}-\d{2}-\d(?:-B)?|\d{5}-Z-\d{2}|AI-[A-Z]-\d{2}-\d-\d|\d{4}[A-Z]-\d{4}|\d{5}-\d{4}|\d{5}-\d{3}[A-Z]"
    r"|HSL-[A-Z-]+"
)
TABLE_CODE = re.compile(f"^(?:{TABLE_CODE_PATTERN})$")
ROW_VARIABLE = re.compile(r"^[A-Z][A-Z0-9]{2,9}$")
API_FORMATS = ("ffcsv", "csv")


# How a table's figures stand on a census (docs/census-bases.md). FORTSCHREIBUNG: stocks carried
# forward from the last census, whose basis follows from the reference date and the vintage
# (reference/census_rebasings.csv). CENSUS: the counts of a census itself, each its own basis
# (the census of that day in reference/census_bases.csv).
FORTSCHREIBUNG = "fortschreibung"
CENSUS = "census"


class WriteMode(StrEnum):
    """How a new delivery of a table relates to what the lake already holds."""

    # Every delivery is kept; a figure whose value, symbol or quality mark changed becomes a new
    # version of the same observation, an identical re-delivery adds nothing.
    VERSIONED = "versioned"


class Access(StrEnum):
    """How the table reaches us."""

    API = "api"  # GENESIS REST 2020: fetched by the nightly run and backfills
    DOWNLOAD = "download"  # a GENESIS web download without login (Sachsen): fetched whole by the nightly run
    FILE = "file"  # a publication or web download that a person saves and `demografie ingest`s


@dataclass(frozen=True)
class Dataset:
    """One publisher table. `measures` maps its value variables (codes, or labels where the format
    has no codes) to harmonised measures; `"*"` stands for any value variable not listed, and a
    target of `"*"` keeps the publisher's code (lower case) as the measure's name."""

    name: str
    topic: str
    source: str
    table: str
    title: str
    measures: Mapping[str, str]
    first_year: int
    access: Access = Access.API
    level: str = "kreise"
    last_year: int | None = None
    nightly_years: int = 3
    # How old the newest vintage may be before the freshness check warns: a year and a month for
    # annual tables, less for monthly and quarterly series.
    fresh_days: int = 400
    write: WriteMode = WriteMode.VERSIONED
    notes: str = ""
    # The census basis of the measures in `census_measures` ("*": all); other measures (births,
    # moves, employees) stand on no census and get NULL.
    census_basis: str | None = None
    census_measures: tuple[str, ...] = ("population",)
    # How far male + female may differ from the total (persons): census tables are published
    # with secrecy rounding, the Fortschreibung adds up exactly.
    sexes_tolerance: int = 0
    # A table CSV's own classification in its rows (school types, vocational qualifications): the
    # variable code its labels are kept under in source_dims, since a table CSV prints no codes.
    row_variable: str | None = None
    # What the GENESIS API is asked for: the flat file, or the table CSV (`csv`) where only the table
    # CSV's layout is known (row_variable tables).
    api_format: str = "ffcsv"
    # A projection's reference dates lie ahead: the nightly run asks for its whole horizon
    # (first_year to last_year), and its measures are never observations (docs/design.md).
    projection: bool = False

    def __post_init__(self) -> None:
        if not TABLE_CODE.fullmatch(self.table):
            raise ValueError(f"{self.name}: {self.table!r} is not a table code of a known publisher")
        if self.census_basis not in (None, FORTSCHREIBUNG, CENSUS):
            raise ValueError(f"{self.name}: census_basis {self.census_basis!r} is neither census nor fortschreibung")
        if self.api_format not in API_FORMATS:
            raise ValueError(f"{self.name}: api_format {self.api_format!r} is not one of {', '.join(API_FORMATS)}")
        if self.row_variable is not None and not ROW_VARIABLE.fullmatch(self.row_variable):
            raise ValueError(f"{self.name}: row_variable {self.row_variable!r} is not a variable code (A-Z, 0-9)")

    @property
    def licence(self) -> str:
        return LICENCES[self.source]

    @property
    def precedence(self) -> int:
        return PRECEDENCE[self.source][0]

    @property
    def precedence_reason(self) -> str:
        return PRECEDENCE[self.source][1]

    @property
    def coverage(self) -> str:
        return f"{self.first_year}–{self.last_year or ''}"

    @property
    def mapping(self) -> str:
        """A digest of what normalising a delivery of this dataset depends on (its name, measures
        and row variable): a lake delivery normalised under another is normalised again."""
        text = json.dumps([self.name, dict(self.measures), self.row_variable], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def mapping_for(self, states: Iterable[str]) -> str:
        """`mapping`, with the Länder a delivery keeps when they are not the default two: a delivery
        normalised for other Länder is normalised again from its raw answer (a lake written before
        DEMOGRAFIE_STATES existed keeps its digests)."""
        kept = chosen(states)
        if kept == DEFAULT_STATES:
            return self.mapping
        return hashlib.sha256(json.dumps([self.mapping, kept]).encode("utf-8")).hexdigest()[:16]

    @property
    def harmonised(self) -> bool:
        """Whether its measures carry our meaning (a share is a share); an uncatalogued table's
        codes carry only the publisher's, and load as published."""
        return dict(self.measures) != dict(KEEP_CODES)


# Which publisher a mart takes a figure from when several carry it (lower wins), and why.
PRECEDENCE: Mapping[str, tuple[int, str]] = MappingProxyType(
    {entry.key: (entry.precedence, entry.precedence_reason) for entry in of_figures() if entry.precedence is not None}
)


KEEP_CODES: Mapping[str, str] = MappingProxyType({"*": "*"})
REQUIRED = ("name", "topic", "source", "table", "title", "measures", "first_year")
FIELDS = tuple(f.name for f in fields(Dataset))
INTEGERS = ("first_year", "last_year", "nightly_years", "fresh_days", "sexes_tolerance")
# What each field of a catalog entry must be (TOML types); `measures` is checked on its own
FIELD_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "whole numbers": INTEGERS,
        "true or false": ("projection",),
        "texts": (
            "name",
            "topic",
            "source",
            "table",
            "title",
            "access",
            "level",
            "write",
            "notes",
            "census_basis",
            "row_variable",
            "api_format",
        ),
        "lists of texts": ("census_measures",),
    }
)


def _is_kind(value: object, kind: str) -> bool:
    if kind == "whole numbers":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "true or false":
        return isinstance(value, bool)
    if kind == "texts":
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# A table code of a known publisher outside the catalog is loaded as it is (topic "other", measures
# keeping the publisher's codes): which publisher, and how its tables are reached, by the code's form.
CODE_PUBLISHERS = (
    ("regio", Access.API, re.compile(r"^(?:\d{5}-\d{2}-\d{2}-\d(?:-B)?|\d{5}-Z-\d{2}|AI-[A-Z]-\d{2}-\d-\d)$")),
    ("destatis", Access.API, re.compile(r"^\d{5}-\d{4}$")),
    ("zensus", Access.API, re.compile(r"^\d{4}[A-Z]-\d{4}$")),
    ("sachsen", Access.DOWNLOAD, re.compile(r"^\d{5}-\d{3}[A-Z]$")),
)


class CatalogError(DemografieError, ValueError):
    """A catalog file that cannot be used; the message names the file and the entry."""


def parse_catalog(text: str, where: str, maps: Mapping[str, Mapping[str, str]] | None = None) -> list[Dataset]:
    """The datasets of a catalog file (TOML), checked entry by entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{where}: not valid TOML: {exc}") from None
    # `states` (the Länder to load) is read by settings.py: the Länder are known before any dataset
    if unknown := sorted(set(data) - {"measure_maps", "dataset", "states"}):
        raise CatalogError(
            f"{where}: unknown section(s) {', '.join(unknown)}; a catalog has states, [measure_maps] and [[dataset]]"
        )
    entries, own_maps = data.get("dataset", []), data.get("measure_maps", {})
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogError(f"{where}: `dataset` must be tables ([[dataset]] entries), not {type(entries).__name__}")
    if not isinstance(own_maps, dict) or not all(isinstance(m, dict) for m in own_maps.values()):
        raise CatalogError(f"{where}: [measure_maps] must hold tables of value variable = measure")
    known_maps = {**(maps or {}), **own_maps}
    datasets = [_dataset(entry, i, where, known_maps) for i, entry in enumerate(entries, start=1)]
    names = [d.name for d in datasets]
    if duplicated := sorted({n for n in names if names.count(n) > 1}):
        raise CatalogError(f"{where}: dataset(s) {', '.join(duplicated)} declared twice")
    return datasets


def _dataset(entry: dict[str, Any], number: int, where: str, maps: Mapping[str, Mapping[str, str]]) -> Dataset:
    label = f"{where}: dataset {entry.get('name') or f'number {number}'}"
    if unknown := sorted(set(entry) - set(FIELDS)):
        raise CatalogError(f"{label}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    if missing := [f for f in REQUIRED if f not in entry]:
        raise CatalogError(f"{label}: lacks {', '.join(missing)}")
    for kind, names in FIELD_KINDS.items():
        if wrong := [f for f in names if f in entry and not _is_kind(entry[f], kind)]:
            raise CatalogError(f"{label}: {', '.join(wrong)} must be {kind}")
    if entry["source"] not in LICENCES:
        raise CatalogError(f"{label}: unknown publisher {entry['source']!r}; known: {', '.join(LICENCES)}")
    values = {**entry, "measures": _measures(entry["measures"], label, maps)}
    try:
        values["access"] = Access(entry.get("access", Access.API))
        values["write"] = WriteMode(entry.get("write", WriteMode.VERSIONED))
        values["census_measures"] = tuple(entry.get("census_measures", ("population",)))
        return Dataset(**values)
    except (ValueError, TypeError) as exc:
        raise CatalogError(f"{label}: {exc}") from None


def _measures(value: object, label: str, maps: Mapping[str, Mapping[str, str]]) -> Mapping[str, str]:
    if isinstance(value, str):
        if value not in maps:
            raise CatalogError(f"{label}: no measure map {value!r}; known: {', '.join(sorted(maps))}")
        return MappingProxyType(dict(maps[value]))
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return MappingProxyType(dict(value))
    raise CatalogError(f"{label}: measures must name a measure map or map value variables to measures")


def load_datasets(user: Path | None) -> tuple[Dataset, ...]:
    """The shipped catalog, with the entries of the user catalog `user` added (or replacing those of
    the same name)."""
    shipped_text = (resources.files("demografie") / "catalog.toml").read_text("utf-8")
    shipped = parse_catalog(shipped_text, "demografie/catalog.toml")
    if user is None:
        return tuple(shipped)
    maps = tomllib.loads(shipped_text).get("measure_maps", {})
    merged = {d.name: d for d in shipped}
    try:
        text = user.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{user}: cannot be read as UTF-8 text ({exc})") from None
    merged.update({d.name: d for d in parse_catalog(text, str(user), maps)})
    return tuple(merged.values())


@dataclass(frozen=True)
class Catalog:
    """The datasets one data home knows: the shipped catalog with its user catalog merged over it.
    A value handed down with the settings (`of`), never a module global rebound per command."""

    datasets: tuple[Dataset, ...]

    def __contains__(self, dataset: object) -> bool:
        return dataset in self.datasets

    def select(self, names: Iterable[str] | None = None) -> tuple[Dataset, ...]:
        """Datasets by name (or table code); all that the nightly run fetches when `names` is None."""
        if names is None:
            return tuple(d for d in self.datasets if d.access is not Access.FILE)
        return tuple(self.find(name) for name in names)

    def find(self, name_or_table: str) -> Dataset:
        """The dataset of that name or table code, else an uncatalogued table of a known publisher."""
        for dataset in self.datasets:
            if name_or_table in (dataset.name, dataset.table):
                return dataset
        for source, access, pattern in CODE_PUBLISHERS:
            if pattern.fullmatch(name_or_table):
                return uncatalogued(name_or_table, source, access)
        known = ", ".join(f"{d.name} ({d.table})" for d in self.datasets)
        raise UnknownDatasetError(f"unknown dataset or table {name_or_table!r}; known: {known}")


def of(settings: Settings) -> Catalog:
    """The catalog of `settings`' data home (its user catalog read anew when the file changed)."""
    user = settings.catalog
    if user is None:
        return SHIPPED
    try:
        stat = user.stat()
    except OSError as exc:
        raise CatalogError(f"{user}: cannot be read ({exc.strerror})") from None
    return _with_user(user, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _with_user(user: Path, modified_ns: int, size: int) -> Catalog:
    return Catalog(load_datasets(user))


# the shipped catalog alone: what tests and benchmarks use, and a home without a user catalog
SHIPPED = Catalog(load_datasets(None))
DATASETS = SHIPPED.datasets
find = SHIPPED.find
select = SHIPPED.select


class UnknownDatasetError(DemografieError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


# The variable under which an uncatalogued table CSV keeps a classification of its own in its rows
# (the type of care of 22543-01-02-4: Tageseinrichtung, Tagespflege), its labels as published.
UNCATALOGUED_ROWS = "ZEILE"


# The value variables of the Fortschreibung's population stocks, wherever a table carries them
# (12411-*, 12410-*): an uncatalogued table's figures of them stand on a census basis like the
# catalog's (their measure keeps the code, lower case). The Zensus databases hold census counts only.
STOCK_CODES = ("BEVSTD",)


def uncatalogued(table: str, source: str, access: Access) -> Dataset:
    """A publisher table without a catalog entry: loaded as published, nothing harmonised, but its
    population stocks and census counts say on which census they stand."""
    census = source == "zensus"
    return Dataset(
        name=table,
        topic="other",
        source=source,
        table=table,
        title=f"{table} (not in the catalog)",
        measures=KEEP_CODES,
        first_year=1990,
        access=access,
        notes=UNCATALOGUED,
        row_variable=UNCATALOGUED_ROWS,
        census_basis=CENSUS if census else FORTSCHREIBUNG,
        census_measures=("*",) if census else tuple(code.lower() for code in STOCK_CODES),
    )


def lake_only(name: str, source: str, table: str) -> Dataset:
    """A table the lake holds without a catalog entry (loaded uncatalogued, or its entry removed
    from the user catalog since), as the uncatalogued dataset of that name."""
    access = next((a for s, a, pattern in CODE_PUBLISHERS if s == source and pattern.fullmatch(table)), Access.FILE)
    return replace(uncatalogued(table, source, access), name=name)


UNCATALOGUED = (
    "Not in the catalog: its value variables keep the publisher's codes as measures and no mart reads it; "
    "add an entry to the user catalog to harmonise it."
)

"""Reference data shipped with the package: facts, not figures (codes, names and validity of regions).

regions.csv: every Land and Kreis as the Regionaldatenbank names them, with the Regierungsbezirke
and statistical regions of Hessen and Sachsen, each with the period in which it existed with that
territory. The Kreise are those of Destatis' 12411-0017 (recorded), which lists every Kreis since
31.12.1995 and marks the dissolved ones "(bis dd.mm.yyyy)": the Region Hannover of 1 November 2001,
Sachsen-Anhalt's Kreisgebietsreform of 1 July 2007, Saxony's of 1 August 2008 (with its
Regierungsbezirke), the Städteregion Aachen of 21 October 2009, Mecklenburg-Vorpommern's reform of
4 September 2011, the Landkreis Göttingen of 1 November 2016, Eisenach joining the Wartburgkreis on
1 July 2021 (so 16063 has two periods), and Hanau leaving the Main-Kinzig-Kreis as Kreis 06415 on
1 January 2026 (06435 has two periods; HSL's Gemeindeverzeichnis). A new Kreis starts the day after
its predecessors' last day. The reforms of 1993 and 1994 in the East (Brandenburg,
Mecklenburg-Vorpommern, Sachsen-Anhalt, Thüringen, Sachsen) lie before the Kreis tables begin
(31.12.1995), so their Kreise carry no `valid_from`: an empty `valid_from` means "before any data
we load"; an empty `valid_to` means "still exists". Names of current Kreise are those of the
Regionaldatenbank's 12411-01-01-4 (recorded, 31.12.2024), of dissolved ones Destatis' without the
"(bis ...)".

census_bases.csv: the censuses (and the East's 1990 register) on which the population
Fortschreibung of each state stood, with their days; census_rebasings.csv: from which vintage each
publisher's figures dated after a census day stand on that census (docs/census-bases.md). Every
row names its evidence.

bbsr_siedlungsstrukt-kreistypen-2020.csv: the BBSR's siedlungsstrukturelle Kreistypen of 2020
(kreisfreie Großstadt, städtischer Kreis, ländlicher Kreis mit Verdichtungsansätzen, dünn
besiedelter ländlicher Kreis) for all 401 Kreise of Germany, the BBSR's own file byte for byte
(ISO-8859-1, 8-digit Kennziffer; the same bytes as the recorded sample in tests/data/samples, whose
README names its provenance); © BBSR Bonn 2020, dl-de/by-2-0. Read as it is, so that every Land a
user configures has its Kreise's types and nothing was transcribed by hand.

projection_editions.csv: the editions of Destatis' coordinated population projection (12421): the
population date each starts from, the first vintage that carries it, and the census that base
population stands on, each with its evidence.

catalogues/: the publishers' own lists of their tables (code, title, time range) as the three GENESIS
databases returned them to `catalogue/tables` (snapshot of CATALOGUE_STAND; catalogues/README.md).

territory_changes.csv: a Kreis whose territory lay inside another's for a time: formed from part
of another (Hanau, inside the Main-Kinzig-Kreis until 31.12.2025) or merged whole into another
(Eisenach into the Wartburgkreis, Hannover into the Region Hannover, Aachen into the Städteregion,
Göttingen and Osterode into the new Landkreis Göttingen): what a map needs to draw a date with a
boundary edition of another Gebietsstand. Reforms that cut Kreise apart (Sachsen-Anhalt 2007,
Sachsen 2008, Mecklenburg-Vorpommern 2011) are not here: their old Kreise are in no region of a
later edition, and a map says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources

from demografie.registry import attribution


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


@dataclass(frozen=True)
class CensusBasis:
    """A census (or register) on which the Fortschreibung of some states was based."""

    basis: str
    census_day: date
    states: tuple[str, ...]
    label: str
    short_label: str
    evidence: str


@dataclass(frozen=True)
class Rebasing:
    """From `first_vintage` on, `source`'s figures dated on or after the census day of `basis`
    stand on that census; older vintages still carry the previous basis for those dates."""

    basis: str
    source: str
    first_vintage: date
    evidence: str


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("demografie") / "reference" / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def census_bases() -> list[CensusBasis]:
    """Every census basis, oldest first."""
    bases = [
        CensusBasis(
            basis=row["basis"],
            census_day=date.fromisoformat(row["census_day"]),
            states=tuple(row["states"].split(",")),
            label=row["label"],
            short_label=row["short_label"],
            evidence=row["evidence"],
        )
        for row in _rows("census_bases.csv")
    ]
    return sorted(bases, key=lambda b: b.census_day)


def rebasings() -> list[Rebasing]:
    """Each publisher's first vintage on each census basis."""
    known = {b.basis for b in census_bases()}
    result = []
    for row in _rows("census_rebasings.csv"):
        if row["basis"] not in known:
            raise ValueError(f"census_rebasings.csv: unknown basis {row['basis']!r}")
        result.append(Rebasing(row["basis"], row["source"], date.fromisoformat(row["first_vintage"]), row["evidence"]))
    return result


@dataclass(frozen=True)
class TerritoryChange:
    """The territory of Kreis `code` lay inside that of `part_of` from `part_from` until
    `part_until` (inclusive; None: open)."""

    code: str
    part_of: str
    part_from: date | None
    part_until: date | None
    note: str
    evidence: str

    def inside_on(self, day: date) -> bool:
        """Whether on `day` the Kreis was (is) part of `part_of`."""
        return (self.part_from is None or self.part_from <= day) and (self.part_until is None or day <= self.part_until)

    @property
    def part_of_name(self) -> str:
        names = [r.name for r in regions() if r.code == self.part_of]
        return names[-1] if names else self.part_of


def territory_changes() -> list[TerritoryChange]:
    return [
        TerritoryChange(
            row["code"], row["part_of"], _day(row["part_from"]), _day(row["part_until"]), row["note"], row["evidence"]
        )
        for row in _rows("territory_changes.csv")
    ]


@dataclass(frozen=True)
class SettlementStructure:
    """The BBSR settlement-structure type of a Kreis in the classification of `year`."""

    code: str
    bbsr_code: str
    name: str
    structure: int  # 1 kreisfreie Großstadt ... 4 dünn besiedelter ländlicher Kreis
    structure_name: str
    year: int


SETTLEMENT_STRUCTURE_YEAR = 2020
SETTLEMENT_STRUCTURE_SOURCE = (
    f"BBSR, Siedlungsstrukturelle Kreistypen {SETTLEMENT_STRUCTURE_YEAR} (www.bbsr.bund.de, Raumabgrenzungen); "
    + attribution("bbsr", SETTLEMENT_STRUCTURE_YEAR)
)


SETTLEMENT_STRUCTURE_FILE = "bbsr_siedlungsstrukt-kreistypen-2020.csv"


def settlement_structures() -> list[SettlementStructure]:
    """Every Kreis of the BBSR's file: its 5-digit key (the Kennziffer is the AGS and `000`)."""
    text = (resources.files(__package__) / SETTLEMENT_STRUCTURE_FILE).read_text("latin-1")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    return [
        SettlementStructure(code[:5], code, name, int(kind), kind_name, SETTLEMENT_STRUCTURE_YEAR)
        for code, name, kind, kind_name in rows
    ]


def regions() -> list[Region]:
    """Every region period of the reference, in code order."""
    return [
        Region(
            code=row["code"],
            level=row["level"],
            name=row["name"],
            valid_from=date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            note=row["note"],
        )
        for row in _rows("regions.csv")
    ]


def regions_on(day: date, level: str | None = None) -> list[Region]:
    """The regions that existed on `day` (one period per code), optionally of one level."""
    return [r for r in regions() if r.exists_on(day) and (level is None or r.level == level)]


@dataclass(frozen=True)
class ProjectionEdition:
    """An edition of the coordinated population projection and the base it projects from."""

    edition: int
    name: str
    base_date: date
    first_vintage: date
    census_basis: str
    evidence: str


def projection_editions() -> list[ProjectionEdition]:
    known = {b.basis for b in census_bases()}
    editions = []
    for row in _rows("projection_editions.csv"):
        if row["census_basis"] not in known:
            raise ValueError(f"projection_editions.csv: unknown basis {row['census_basis']!r}")
        editions.append(
            ProjectionEdition(
                int(row["edition"]),
                row["name"],
                date.fromisoformat(row["base_date"]),
                date.fromisoformat(row["first_vintage"]),
                row["census_basis"],
                row["evidence"],
            )
        )
    return editions


# the publishers' table lists, and the day of the snapshot (catalogues/README.md)
CATALOGUES = {"regio": "regioDB_tables.csv", "destatis": "genesis_tables.csv", "zensus": "zensusDB_tables.csv"}
CATALOGUE_STAND = date(2024, 2, 20)


@dataclass(frozen=True)
class ListedTable:
    """A table as its publisher lists it."""

    publisher: str
    code: str
    title: str  # one line (the lists break long titles)
    time: str  # the time range, as listed ("31.12.1995 - 31.12.2021")


def listed_tables(publisher: str) -> list[ListedTable]:
    """Every table `publisher` listed in the snapshot."""
    text = (resources.files("demografie") / "reference" / "catalogues" / CATALOGUES[publisher]).read_text("utf-8")
    return [
        ListedTable(publisher, row["Code"], " ".join(row["Content"].split()), row["Time"])
        for row in csv.DictReader(io.StringIO(text))
    ]

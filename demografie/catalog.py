"""The datasets we load, declared as data.

Each entry names the publisher route, the publisher's table code, how its value variables map to
harmonised measures, how far back the table reaches, how many recent years the nightly run asks
for, and its write semantics. Adding a dataset of a known format means adding an entry here.
"""

from __future__ import annotations

import re
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
        "sachsen": "Datenlizenz Deutschland – Namensnennung – Version 2.0; "
        "© Statistisches Landesamt des Freistaates Sachsen, Kamenz",
        "hessen": "© Hessisches Statistisches Landesamt, Wiesbaden; Vervielfältigung und Verbreitung, auch "
        "auszugsweise, mit Quellenangabe gestattet",
        "zensus": "Datenlizenz Deutschland – Namensnennung – Version 2.0; "
        "© Statistische Ämter des Bundes und der Länder, Zensus 2022",
    }
)

# The publishers' table-code patterns (Regionaldatenbank incl. Regionalatlas, Destatis, Sachsen's
# own codes, our names for HSL publications). Any code that reaches a path or SQL must match one.
TABLE_CODE_PATTERN = (
    r"\d{5}-\d{2}-\d{2}-\d(?:-B)?|\d{5}-Z-\d{2}|AI-[A-Z]-\d{2}-\d-\d|\d{4}[A-Z]-\d{4}|\d{5}-\d{4}|\d{5}-\d{3}[A-Z]"
    r"|HSL-[A-Z-]+"
)
TABLE_CODE = re.compile(f"^(?:{TABLE_CODE_PATTERN})$")


# How a table's figures stand on a census (docs/census-bases.md). FORTSCHREIBUNG: stocks carried
# forward from the last census, whose basis follows from the reference date and the vintage
# (reference/census_rebasings.csv). CENSUS: the counts of a census itself, each its own basis
# (the census of that day in reference/census_bases.csv).
FORTSCHREIBUNG = "fortschreibung"
CENSUS = "census"
# A census is taken once a decade: its counts are not stale until the next one is due.
CENSUS_FRESH_DAYS = 12 * 366


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

    def __post_init__(self) -> None:
        if not TABLE_CODE.match(self.table):
            raise ValueError(f"{self.name}: {self.table!r} is not a table code of a known publisher")
        if self.census_basis not in (None, FORTSCHREIBUNG, CENSUS):
            raise ValueError(f"{self.name}: census_basis {self.census_basis!r} is neither census nor fortschreibung")

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


# Which publisher a mart takes a figure from when several carry it (lower wins), and why.
PRECEDENCE: Mapping[str, tuple[int, str]] = MappingProxyType(
    {
        "regio": (
            1,
            "Regionaldatenbank: the joint database of all statistical offices, one method and one "
            "territorial state for both Länder (the primary route)",
        ),
        "destatis": (
            2,
            "Destatis GENESIS-Online: the same official statistics; used where the Regionaldatenbank "
            "has no such figure",
        ),
        "sachsen": (
            3,
            "Statistisches Landesamt Sachsen: Saxony's own tables on its own Gebietsstand; used where "
            "neither joint database has the figure",
        ),
        "hessen": (
            4,
            "Hessisches Statistisches Landesamt publications: once a year, Hessen only; used where no "
            "database has the figure",
        ),
        "zensus": (
            5,
            "Zensus 2022 database: the census counts themselves (their own measure, never a Fortschreibung figure)",
        ),
    }
)


def _m(**pairs: str) -> Mapping[str, str]:
    return MappingProxyType(pairs)


def _labels(pairs: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(pairs)


POPULATION = _m(BEVSTD="population")
ANY_POPULATION = _labels({"BEVSTD": "population", "*": "population"})
KEEP_CODES = _labels({"*": "*"})
# The codes of the migration tables' contents are not in our samples; their labels say what they are.
# moves_in/moves_out are moves across the region's own borders (Kreis borders for a Kreis); moves
# between the Gemeinden of one Kreis are kept apart so that the two are never mixed in a mart.
MIGRATION = _labels({"label:Zuzüge": "moves_in", "label:Fortzüge": "moves_out", "*": "*"})
MIGRATION_ACROSS_GEMEINDEN = _labels(
    {"label:Zuzüge": "moves_in_across_gemeinden", "label:Fortzüge": "moves_out_across_gemeinden", "*": "*"}
)
UNEMPLOYMENT_LABELS = {
    "Arbeitslose": "unemployed",
    "Arbeitslose: schwerbehindert": "unemployed_severely_disabled",
    "Arbeitslose: langzeitarbeitslos": "unemployed_long_term",
    "Arbeitslosenquote bez. abh. zivile Erwerbspers.": "unemployment_rate_dependent",
    "Arbeitslosenquote bez. auf alle zivile Erwerbsp.": "unemployment_rate",
}

DATASETS: tuple[Dataset, ...] = (
    # --- population, Regionaldatenbank -------------------------------------------------------
    Dataset(
        "population",
        "population",
        "regio",
        "12411-01-01-4",
        "Bevölkerung nach Geschlecht, Stichtag 31.12., Kreise und krfr. Städte",
        POPULATION,
        1995,
        notes="Since the 2025 v5 format the table carries Kreise only (no Land rows).",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_gemeinden",
        "population",
        "regio",
        "12411-01-01-5",
        "Bevölkerung nach Geschlecht, Stichtag 31.12., Gemeinden",
        POPULATION,
        2008,
        level="gemeinden",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_mid_year",
        "population",
        "regio",
        "12411-06-01-4",
        "Bevölkerung nach Geschlecht, Stichtag 30.06., Kreise und krfr. Städte",
        ANY_POPULATION,
        2011,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_age_groups",
        "population",
        "regio",
        "12411-02-03-4",
        "Bevölkerung nach Geschlecht und Altersgruppen (17), Stichtag 31.12., Kreise",
        ANY_POPULATION,
        1995,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_age_groups_gemeinden",
        "population",
        "regio",
        "12411-02-03-5",
        "Bevölkerung nach Geschlecht und Altersgruppen (17), Stichtag 31.12., Gemeinden",
        ANY_POPULATION,
        2008,
        level="gemeinden",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_single_years",
        "population",
        "regio",
        "12411-04-02-4",
        "Bevölkerung nach Geschlecht und Altersjahren (79), Stichtag 31.12., Kreise",
        ANY_POPULATION,
        2011,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_single_years_laender",
        "population",
        "regio",
        "12411-04-02-4-B",
        "Bevölkerung nach Geschlecht und Altersjahren (79), Stichtag 31.12., regionale Ebenen",
        ANY_POPULATION,
        2011,
        level="laender",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_nationality",
        "population",
        "regio",
        "12411-03-03-4",
        "Bevölkerung nach Geschlecht, Nationalität und Altersgruppen (21), Stichtag 31.12., Kreise",
        ANY_POPULATION,
        2011,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "average_age",
        "population",
        "regio",
        "12411-07-01-4",
        "Durchschnittsalter der Bevölkerung, Stichtag 31.12., Kreise",
        _labels({"*": "average_age"}),
        2011,
        census_basis=FORTSCHREIBUNG,
        census_measures=("*",),
    ),
    Dataset(
        "dependency_ratios",
        "population",
        "regio",
        "12411-08-01-4",
        "Jugendquotient und Altenquotient, Stichtag 31.12., Kreise",
        KEEP_CODES,
        2011,
        census_basis=FORTSCHREIBUNG,
        census_measures=("*",),
    ),
    Dataset(
        "census_2011_nationality",
        "population",
        "regio",
        "12111-01-01-4",
        "Zensus 2011: Bevölkerung nach Nationalität und Geschlecht, Kreise",
        _m(BEVZ20="population_census"),
        2011,
        access=Access.FILE,
        last_year=2011,
        notes="Withdrawn by the publisher in 2024 (status 104); kept from earlier downloads.",
        census_basis=CENSUS,
        census_measures=("population_census",),
        sexes_tolerance=3,
        fresh_days=CENSUS_FRESH_DAYS,
    ),
    # --- Zensus 2022 database ----------------------------------------------------------------
    Dataset(
        "census_2022_gemeinden",
        "population",
        "zensus",
        "1000A-0000",
        "Zensus 2022: Personen: Bevölkerungszahl, Gemeinden (Gebietsstand 15.05.2022)",
        # PRS018 on the Gemeinde rows, PRS001 on the Deutschland row: both "Personen"
        _m(PRS018="population_census", PRS001="population_census"),
        2011,
        level="gemeinden",
        last_year=2022,
        census_basis=CENSUS,
        census_measures=("population_census",),
        fresh_days=CENSUS_FRESH_DAYS,
        notes="Census counts on the census days (15.05.2022; the metadata reaches back to 09.05.2011); Kreis and "
        "Land figures are the sums of the Gemeinden (marts.census_comparison). 12-digit ARS keys become AGS.",
    ),
    # --- natural movement, migration, area ----------------------------------------------------
    Dataset(
        "births",
        "movement",
        "regio",
        "12612-01-01-4",
        "Lebendgeborene nach Geschlecht, Kreise",
        _labels({"*": "live_births"}),
        1995,
    ),
    Dataset(
        "deaths",
        "movement",
        "regio",
        "12613-01-01-4",
        "Gestorbene nach Geschlecht, Kreise",
        _labels({"*": "deaths"}),
        1995,
    ),
    Dataset(
        "migration_gemeinde_borders",
        "movement",
        "regio",
        "12711-01-03-4",
        "Zu- und Fortzüge über Gemeindegrenzen nach Geschlecht und Altersgruppen, Kreise",
        MIGRATION_ACROSS_GEMEINDEN,
        1995,
    ),
    Dataset(
        "migration_kreis_borders",
        "movement",
        "regio",
        "12711-04-02-4",
        "Zu- und Fortzüge über Kreisgrenzen nach Geschlecht und Altersgruppen, Kreise",
        MIGRATION,
        1995,
    ),
    Dataset(
        "migration_gemeinden",
        "movement",
        "regio",
        "12711-91-01-5",
        "Zu- und Fortzüge über Gemeindegrenzen, Gemeinden",
        MIGRATION,
        2008,
        level="gemeinden",
    ),
    Dataset(
        "area",
        "area",
        "regio",
        "11111-01-01-4",
        "Gebietsfläche in qkm, Stichtag 31.12., Kreise",
        _labels({"Gebietsfläche": "area", "*": "area"}),
        1995,
    ),
    Dataset(
        "municipalities",
        "area",
        "regio",
        "11111-02-01-4",
        "Zahl der Gemeinden, Stichtag 31.12., Kreise",
        _m(GEM001="municipalities"),
        1995,
    ),
    Dataset(
        "settlement_area",
        "area",
        "regio",
        "AI-N-01-2-5",
        "Regionalatlas: Anteil und Veränderung der Siedlungs- und Verkehrsfläche, Gemeinden",
        _m(AI0111="settlement_area_share", AI0112="settlement_area_change"),
        2022,
        level="gemeinden",
    ),
    # --- labour market ------------------------------------------------------------------------
    Dataset(
        "employees_workplace",
        "labour",
        "regio",
        "13111-01-03-4",
        "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht und Nationalität, "
        "Stichtag 30.06., Kreise",
        _m(ERW032="employees"),
        2008,
        notes="The latest Stichtag is often '-' at Kreis level while Land rows have figures.",
    ),
    Dataset(
        "employees_residence",
        "labour",
        "regio",
        "13111-02-02-4",
        "Sozialversicherungspflichtig Beschäftigte am Wohnort nach Geschlecht und Nationalität, Kreise",
        _labels({"*": "employees_residence"}),
        2008,
    ),
    Dataset(
        "employees_workplace_age",
        "labour",
        "regio",
        "13111-05-03-4",
        "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht und Altersgruppen, Kreise",
        _labels({"*": "employees"}),
        2008,
    ),
    Dataset(
        "employees_residence_age",
        "labour",
        "regio",
        "13111-06-02-4",
        "Sozialversicherungspflichtig Beschäftigte am Wohnort nach Geschlecht und Altersgruppen, Kreise",
        _labels({"*": "employees_residence"}),
        2008,
    ),
    Dataset(
        "unemployment",
        "labour",
        "regio",
        "13211-02-05-4",
        "Arbeitslose nach Personengruppen sowie Arbeitslosenquoten, Jahresdurchschnitt, Kreise",
        _labels({**UNEMPLOYMENT_LABELS, "*": "*"}),
        2001,
    ),
    Dataset(
        "microcensus_households",
        "labour",
        "regio",
        "12211-Z-11",
        "Mikrozensus: Lebensformen, Kreise (2011–2019)",
        KEEP_CODES,
        2011,
        last_year=2019,
    ),
    # --- Destatis GENESIS-Online: Land level, and Kreis tables --------------------------------
    Dataset(
        "employees_land_quarterly",
        "labour",
        "destatis",
        "13111-0005",
        "Sozialversicherungspflichtig Beschäftigte am Arbeitsort, Bundesländer, Quartale",
        KEEP_CODES,
        2008,
        level="laender",
        fresh_days=160,
    ),
    Dataset(
        "unemployment_land_monthly",
        "labour",
        "destatis",
        "13211-0010",
        "Arbeitslose nach Geschlecht, Bundesländer, Monate",
        KEEP_CODES,
        2008,
        level="laender",
        fresh_days=62,
    ),
    Dataset(
        "population_land_quarterly",
        "population",
        "destatis",
        "12411-0021",
        "Bevölkerung, Bundesländer, Stichtag zum Quartalsende",
        ANY_POPULATION,
        1990,
        level="laender",
        fresh_days=160,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_single_years_destatis",
        "population",
        "destatis",
        "12411-0012",
        "Bevölkerung: Bundesländer, Stichtag, Altersjahre",
        ANY_POPULATION,
        1967,
        level="laender",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_kreise_destatis",
        "population",
        "destatis",
        "12411-0015",
        "Bevölkerung: Kreise, Stichtag",
        ANY_POPULATION,
        1995,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_age_groups_destatis",
        "population",
        "destatis",
        "12411-0017",
        "Bevölkerung: Kreise, Stichtag, Altersgruppen",
        ANY_POPULATION,
        1995,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "population_sex_age_groups_destatis",
        "population",
        "destatis",
        "12411-0018",
        "Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen",
        ANY_POPULATION,
        1995,
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "protection_seekers",
        "population",
        "destatis",
        "12531-0043",
        "Schutzsuchende: Kreise, Stichtag, Geschlecht, Schutzstatuskategorie, Staatsangehörigkeit",
        _m(BEV030="protection_seekers"),
        2007,
        notes="Large: answered as a background job (status 98).",
    ),
    # --- Statistisches Landesamt Sachsen (web download, own codes) ----------------------------
    Dataset(
        "population_mid_year_gemeinden_sn",
        "population",
        "sachsen",
        "12410-010Z",
        "Fortschreibung zum 30.06. nach Geschlecht auf Gemeinden (Sachsen)",
        _labels({"Bevölkerung am 30.06.": "population"}),
        2011,
        access=Access.DOWNLOAD,
        level="gemeinden",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "deaths_gemeinden_sn",
        "movement",
        "sachsen",
        "12613-010Z",
        "Gestorbene nach Geschlecht, Gemeinden (Sachsen)",
        _labels({"Gestorbene": "deaths"}),
        1980,
        access=Access.DOWNLOAD,
        level="gemeinden",
    ),
    Dataset(
        "death_rate_gemeinden_sn",
        "movement",
        "sachsen",
        "12613-020Z",
        "Gestorbene je 1000 Einwohner, Gemeinden (Sachsen)",
        _labels({"Gestorbene je 1000 Einwohner": "deaths_per_1000"}),
        1983,
        access=Access.DOWNLOAD,
        level="gemeinden",
        census_basis=FORTSCHREIBUNG,
        census_measures=("deaths_per_1000",),
    ),
    # --- Hessisches Statistisches Landesamt (publications) ------------------------------------
    Dataset(
        "gemeindestatistik_he",
        "population",
        "hessen",
        "HSL-GEMEINDESTATISTIK",
        "Hessische Gemeindestatistik: Bevölkerung, Fläche, Bewegung, Beschäftigte, Gemeinden (Hessen)",
        _labels(
            {
                "Fläche": "area",
                "Bevölkerung": "population",
                "Lebendgeborene": "live_births",
                "Gestorbene": "deaths",
                "Zugezogene": "moves_in",
                "Beschäftigte am Wohnort": "employees_residence",
                "Beschäftigte am Arbeitsort": "employees",
                "Fortgezogene": "moves_out",
            }
        ),
        2019,
        access=Access.FILE,
        level="gemeinden",
        census_basis=FORTSCHREIBUNG,
    ),
    Dataset(
        "age_structure_kreise_he",
        "population",
        "hessen",
        "HSL-ALTER-KREISE",
        "Bevölkerung in den kreisfreien Städten und Landkreisen nach Alter und Geschlecht (Hessen)",
        _labels({"Bevölkerung": "population"}),
        2021,
        access=Access.FILE,
        census_basis=FORTSCHREIBUNG,
    ),
)


class UnknownDatasetError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def select(names: Iterable[str] | None = None) -> tuple[Dataset, ...]:
    """Datasets by name (or table code); all that the nightly run fetches when `names` is None."""
    if names is None:
        return tuple(d for d in DATASETS if d.access is not Access.FILE)
    return tuple(find(name) for name in names)


def find(name_or_table: str) -> Dataset:
    for dataset in DATASETS:
        if name_or_table in (dataset.name, dataset.table):
            return dataset
    known = ", ".join(f"{d.name} ({d.table})" for d in DATASETS)
    raise UnknownDatasetError(f"unknown dataset or table {name_or_table!r}; known: {known}")

"""Harmonised dimensions, declared as data: publisher codes -> the shared schema's vocabulary.

Keys are codes, never labels (labels change between format versions and languages). The empty
attribute code is GENESIS' "Insgesamt"/"Total".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Variables whose attribute code is a region key (an AGS prefix, or DG for Germany).
REGIONAL_VARIABLES = frozenset({"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN"})
# The Zensus 2022 database names its regional variables by level and Gebietsstand instead:
# GEODL1 (Deutschland), GEOBL1 (Länder), GEOGM4 (Gemeinden, Gebietsstand 15.05.2022), ...
ZENSUS_REGIONAL_VARIABLE = r"^GEO(DL|BL|RB|LK|VB|GM)[0-9]+$"
# ... and keys its Gemeinden by the 12-digit ARS (Land 2, Regierungsbezirk 1, Kreis 2,
# Gemeindeverband 4, Gemeinde 3); the 8-digit AGS is the ARS without the Gemeindeverband.
ARS_LENGTH = 12

# The statistic (the flat file's statistics_code) a table belongs to: the first five characters of
# a GENESIS table code (12411-01-01-4 -> 12411, 1000A-0000 -> 1000A); the Regionalatlas' tables
# all belong to 99910. Tables of other codes (our names for HSL publications) are not checked.
TABLE_STATISTIC = r"^([0-9]{4}[0-9A-Z])-"
REGIONALATLAS = ("AI-", "99910")
ARS_AGS_PARTS = ((0, 5), (9, 12))

REGION_LEVELS: Mapping[int, str] = MappingProxyType({2: "land", 3: "regbez", 5: "kreis", 8: "gemeinde"})

# variable code -> (schema column, attribute code -> harmonised value)
DIMENSIONS: Mapping[str, tuple[str, Mapping[str, str]]] = MappingProxyType(
    {
        "GES": ("sex", MappingProxyType({"": "total", "GESM": "male", "GESW": "female"})),
        "NAT": (
            "nationality",
            MappingProxyType({"": "total", "NATD": "german", "NATA": "foreign"}),
        ),
    }
)

# A classifying variable that is really time: monthly series are JAHR plus MONAT01..MONAT12.
MONTH_VARIABLE = "MONAT"

# Schema columns filled from DIMENSIONS and their value when the table has no such variable.
DIMENSION_DEFAULTS: Mapping[str, str] = MappingProxyType({"sex": "total", "nationality": "total"})

UNITS: Mapping[str, str] = MappingProxyType(
    {
        "Anzahl": "count",
        "Prozent": "percent",
        "qkm": "km2",
        "ha": "hectare",
        "1000": "thousand",
        "Jahre": "years",
        "EUR": "eur",
        "Tsd. EUR": "thousand_eur",
        "je 1000 EW": "per_1000_inhabitants",
    }
)

# time_code -> (period_type, how `time` is written)
TIME_CODES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "STAG": ("stichtag", "date"),
        "STAGV": ("stichtag", "date"),
        "JAHR": ("year", "year"),
    }
)

# --- Vocabulary for formats that print labels instead of codes (table CSV, HSL workbooks) -----

# label (lower case) -> (variable code, attribute code); the codes are those the same publishers
# use in their flat files for the same attribute.
LABEL_ATTRIBUTES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "männlich": ("GES", "GESM"),
        "männer": ("GES", "GESM"),
        "weiblich": ("GES", "GESW"),
        "frauen": ("GES", "GESW"),
        "ausländisch": ("NAT", "NATA"),
        "ausländer": ("NAT", "NATA"),
        "ausländer/-innen": ("NAT", "NATA"),
        "ausländer(innen)": ("NAT", "NATA"),
        "nichtdeutsche": ("NAT", "NATA"),
        "deutsche": ("NAT", "NATD"),
        "deutsch": ("NAT", "NATD"),
    }
)
VARIABLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "GES": "Geschlecht",
        "NAT": "Nationalität",
        "ALTER": "Alter",
        "DINSG": "Deutschland",
        "DLAND": "Bundesländer",
        "REGBEZ": "Regierungsbezirke",
        "KREISE": "Kreise und kreisfreie Städte",
        "GEMEIN": "Gemeinden",
    }
)
# Labels that name a variable (a header over its attributes) or mean "all of it".
TOTAL_LABELS = frozenset({"insgesamt", "total", "zusammen"})
VARIABLE_NAME_LABELS = frozenset(
    {"stichtag", "jahr", "altersgruppen", "altersjahre", "bundesländer", "geschlecht", "nationalität", "davon"}
)
# Units as table CSVs print them -> the flat file's `value_unit`.
LABEL_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "anzahl": "Anzahl",
        "absolut": "Anzahl",
        "prozent": "Prozent",
        "%": "Prozent",
        "qkm": "qkm",
        "km²": "qkm",
        "je 1000 ew": "je 1000 EW",
        "je 1000 einwohner": "je 1000 EW",
        "jahre": "Jahre",
    }
)
LAND_CODES: Mapping[str, str] = MappingProxyType(
    {
        "Schleswig-Holstein": "01",
        "Hamburg": "02",
        "Niedersachsen": "03",
        "Bremen": "04",
        "Nordrhein-Westfalen": "05",
        "Hessen": "06",
        "Rheinland-Pfalz": "07",
        "Baden-Württemberg": "08",
        "Bayern": "09",
        "Saarland": "10",
        "Berlin": "11",
        "Brandenburg": "12",
        "Mecklenburg-Vorpommern": "13",
        "Sachsen": "14",
        "Sachsen-Anhalt": "15",
        "Thüringen": "16",
    }
)
# Region key length (or DG) -> the flat file's regional variable.
REGIONAL_VARIABLE_BY_KEY: Mapping[int, str] = MappingProxyType({2: "DLAND", 3: "REGBEZ", 5: "KREISE", 8: "GEMEIN"})


def regional_variable(code: str) -> str:
    """The GENESIS regional variable of a region key: DINSG for Germany (DG), else by its length."""
    return "DINSG" if code == "DG" else REGIONAL_VARIABLE_BY_KEY[len(code)]


# Measure labels whose code the same publisher prints in its flat files (so that a table CSV and
# a flat file of the same table describe the same observation). Others keep their label as code.
LABEL_MEASURES: Mapping[str, str] = MappingProxyType({"Bevölkerungsstand": "BEVSTD"})

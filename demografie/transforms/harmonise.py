"""Harmonised dimensions, declared as data: publisher codes -> the shared schema's vocabulary.

Keys are codes, never labels (labels change between format versions and languages). The empty
attribute code is GENESIS' "Insgesamt"/"Total".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from demografie.laender import LAENDER

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

# The flat file's `value_unit` (German or English answers, `language=en`) -> the schema's unit.
# Looked up in lower case with blanks collapsed (`unit_key`): "Anzahl", "number" and "Number" are one unit.
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "anzahl": "count",
        "number": "count",
        "personen": "count",
        "persons": "count",
        "prozent": "percent",
        "percent": "percent",
        "%": "percent",
        "qkm": "km2",
        "km²": "km2",
        "sq km": "km2",
        "ha": "hectare",
        "hektar": "hectare",
        "hectares": "hectare",
        "1000": "thousand",
        "1,000": "thousand",
        "tsd.": "thousand",
        "jahre": "years",
        "years": "years",
        "eur": "eur",
        "euro": "eur",
        "tsd. eur": "thousand_eur",
        "1000 eur": "thousand_eur",
        "eur 1000": "thousand_eur",
        "1,000 eur": "thousand_eur",
        "eur 1,000": "thousand_eur",
        "mill. eur": "million_eur",
        "mio. eur": "million_eur",
        "eur million": "million_eur",
        "je 1000 ew": "per_1000_inhabitants",
        "je 1000 einwohner": "per_1000_inhabitants",
        "per 1000 inhabitants": "per_1000_inhabitants",
        "per 1,000 inhabitants": "per_1000_inhabitants",
    }
)
# Units whose figures are whole numbers (the thousands-separator guard of ffcsv.py).
COUNT_UNITS = frozenset(key for key, unit in UNITS.items() if unit == "count")


def unit_key(label: str) -> str:
    """The key of a unit label in UNITS: lower case, blanks collapsed."""
    return " ".join(label.split()).lower()


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
        "male": ("GES", "GESM"),
        "males": ("GES", "GESM"),
        "men": ("GES", "GESM"),
        "weiblich": ("GES", "GESW"),
        "frauen": ("GES", "GESW"),
        "female": ("GES", "GESW"),
        "females": ("GES", "GESW"),
        "women": ("GES", "GESW"),
        "ausländisch": ("NAT", "NATA"),
        "ausländer": ("NAT", "NATA"),
        "ausländer/-innen": ("NAT", "NATA"),
        "ausländer(innen)": ("NAT", "NATA"),
        "ausländerinnen und ausländer": ("NAT", "NATA"),
        "nichtdeutsche": ("NAT", "NATA"),
        "foreign": ("NAT", "NATA"),
        "foreigners": ("NAT", "NATA"),
        "non-germans": ("NAT", "NATA"),
        "deutsche": ("NAT", "NATD"),
        "deutsch": ("NAT", "NATD"),
        "german": ("NAT", "NATD"),
        "germans": ("NAT", "NATD"),
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
    {
        "stichtag",
        "jahr",
        "altersgruppen",
        "altersgruppe",
        "altersjahre",
        "altersjahr",
        "bundesländer",
        "geschlecht",
        "nationalität",
        "davon",
        "reference date",
        "year",
        "age groups",
        "single years of age",
        "länder",
        "federal states",
        "sex",
        "gender",
        "nationality",
        "of which",
    }
)
# Units as table CSVs print them -> the flat file's `value_unit`.
# Units as table CSVs print them -> the flat file's `value_unit`.
LABEL_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "anzahl": "Anzahl",
        "absolut": "Anzahl",
        "number": "Anzahl",
        "prozent": "Prozent",
        "percent": "Prozent",
        "%": "Prozent",
        "qkm": "qkm",
        "km²": "qkm",
        "sq km": "qkm",
        "je 1000 ew": "je 1000 EW",
        "je 1000 einwohner": "je 1000 EW",
        "per 1000 inhabitants": "je 1000 EW",
        "jahre": "Jahre",
        "years": "Jahre",
        "1000": "1000",
    }
)
LAND_CODES: Mapping[str, str] = MappingProxyType(
    {name: key for key, name in LAENDER.items()}
    | {
        # the names of English answers (language=en)
        "Lower Saxony": "03",
        "North Rhine-Westphalia": "05",
        "Hesse": "06",
        "Rhineland-Palatinate": "07",
        "Bavaria": "09",
        "Mecklenburg-Western Pomerania": "13",
        "Mecklenburg-West Pomerania": "13",
        "Saxony": "14",
        "Saxony-Anhalt": "15",
        "Thuringia": "16",
    }
)
# Region key length (or DG) -> the flat file's regional variable.
REGIONAL_VARIABLE_BY_KEY: Mapping[int, str] = MappingProxyType(
    {2: "DLAND", 3: "REGBEZ", 5: "KREISE", 8: "GEMEIN", ARS_LENGTH: "GEMEIN"}
)


def regional_variable(code: str) -> str:
    """The GENESIS regional variable of a region key: DINSG for Germany (DG), else by its length."""
    return "DINSG" if code == "DG" else REGIONAL_VARIABLE_BY_KEY[len(code)]


# Measure labels whose code the same publisher prints in its flat files (so that a table CSV and
# a flat file of the same table describe the same observation). Others keep their label as code.
LABEL_MEASURES: Mapping[str, str] = MappingProxyType({"Bevölkerungsstand": "BEVSTD"})

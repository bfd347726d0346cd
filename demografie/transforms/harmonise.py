"""Harmonised dimensions, declared as data: publisher codes -> the shared schema's vocabulary.

Keys are codes, never labels (labels change between format versions and languages). The empty
attribute code is GENESIS' "Insgesamt"/"Total".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Variables whose attribute code is a region key (an AGS prefix, or DG for Germany).
REGIONAL_VARIABLES = frozenset({"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN"})

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

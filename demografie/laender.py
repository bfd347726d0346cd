"""The 16 Länder by their official key (the first two digits of every regional key), and which of
them a data home loads (DEMOGRAFIE_STATES, settings.py).

Keys and names as the publishers print them in their flat files' regional variable DLAND: the
recorded Destatis answers `genesis_v5_ffcsv_13111-0005_de.csv` and
`destatis_v5_ffcsv_12421-0003_16kbv_2026-09_EXCERPT.csv` (tests/data/samples) list all sixteen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from demografie.errors import DemografieError

LAENDER: Mapping[str, str] = MappingProxyType(
    {
        "01": "Schleswig-Holstein",
        "02": "Hamburg",
        "03": "Niedersachsen",
        "04": "Bremen",
        "05": "Nordrhein-Westfalen",
        "06": "Hessen",
        "07": "Rheinland-Pfalz",
        "08": "Baden-Württemberg",
        "09": "Bayern",
        "10": "Saarland",
        "11": "Berlin",
        "12": "Brandenburg",
        "13": "Mecklenburg-Vorpommern",
        "14": "Sachsen",
        "15": "Sachsen-Anhalt",
        "16": "Thüringen",
    }
)
# the partnership the project was built for, and what a home loads unless configured otherwise
DEFAULT_STATES = ("06", "14")
EVERY_STATE = "all"


class UnknownStateError(DemografieError, ValueError):
    """A configured state that is no Land."""


def chosen(states: Iterable[str]) -> tuple[str, ...]:
    """Land keys as a home records them: sorted, each once."""
    return tuple(sorted(set(states)))


def parse_states(text: str) -> tuple[str, ...]:
    """Land keys or names, separated by commas or blanks (`06,14,16`, `Hessen Thüringen`), or
    `all`: the keys, sorted and each once."""
    words = [word for part in text.replace(",", " ").split() if (word := part.strip())]
    if [w.lower() for w in words] == [EVERY_STATE]:
        return tuple(LAENDER)
    by_name = {name.lower(): key for key, name in LAENDER.items()}
    keys = set()
    for word in words:
        key = word.zfill(2) if word.isdigit() else by_name.get(word.lower(), "")
        if key not in LAENDER:
            raise UnknownStateError(word)
        keys.add(key)
    if not keys:
        raise UnknownStateError(text)
    return chosen(keys)

"""The 16 Länder by their official key (the first two digits of every regional key), and which of
them a data home loads (DEMOGRAFIE_STATES, settings.py).

Declared as data in laender.csv: key and name as the publishers print them in their flat files'
regional variable DLAND (the recorded Destatis answers `genesis_v5_ffcsv_13111-0005_de.csv` and
`destatis_v5_ffcsv_12421-0003_16kbv_2026-09_EXCERPT.csv` in tests/data/samples list all sixteen);
the column that names the Land in the warehouse's wide comparison marts (ASCII, no quoting needed:
`hessen`, `thueringen`); the colour the report and the maps draw it in (Hessen's red and Sachsen's
green as before, the others from the Tableau and D3 palettes, so that neighbours differ).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from demografie.errors import DemografieError


@dataclass(frozen=True)
class Land:
    key: str
    name: str
    column: str  # its columns in marts.state_comparison and marts.indicator_comparison
    colour: str  # in the report and the maps


def _read_laender() -> Mapping[str, Land]:
    text = resources.files("demografie").joinpath("laender.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text), delimiter=";")
    return MappingProxyType({row["key"]: Land(**row) for row in rows})


LAND: Mapping[str, Land] = _read_laender()
LAENDER: Mapping[str, str] = MappingProxyType({key: land.name for key, land in LAND.items()})
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

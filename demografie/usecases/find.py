"""Finding a publisher's table by words in its title or code: offline in the shipped table lists
of the three GENESIS databases (reference/catalogues, a dated snapshot), or live through each
publisher's `find/find`. Each hit says whether the catalog already harmonises the table."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from demografie.catalog import Catalog, Dataset
from demografie.reference import CATALOGUE_STAND, CATALOGUES, listed_tables
from demografie.settings import Settings
from demografie.sources.errors import SourceError
from demografie.usecases.clients import CredentialsLookup, genesis_client

# spelled either way by people and publishers: "Pflegebedürftige", "Pflegebeduerftige"
FOLDED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True)
class Hit:
    publisher: str
    code: str
    title: str
    time: str
    dataset: str | None  # the catalog's name for it, when the catalog has it


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    searched: str  # what was searched, said to the user
    notes: list[str]  # publishers not asked, and why


def fold(text: str) -> str:
    """Text as compared: case, umlauts spelled out, accents and runs of blanks removed."""
    spelled = unicodedata.normalize("NFC", text).casefold().translate(FOLDED)
    return " ".join(unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode().split())


def matches(words: Sequence[str], code: str, title: str) -> bool:
    """Every word is in the code or the title (a table code's start matches its family)."""
    haystack = f"{fold(code)} {fold(title)}"
    return all(fold(word) in haystack for word in words)


def find_offline(words: Sequence[str], known: Catalog, publisher: str | None = None) -> Found:
    """The tables of the shipped lists whose code or title holds every word."""
    names = _catalogued(known.datasets)
    hits = [
        Hit(t.publisher, t.code, t.title, t.time, names.get((t.publisher, t.code)))
        for source in CATALOGUES
        if publisher in (None, source)
        for t in listed_tables(source)
        if matches(words, t.code, t.title)
    ]
    return Found(_catalogued_first(hits), f"the publishers' table lists of {CATALOGUE_STAND:%d.%m.%Y} (shipped)", [])


def find_live(
    words: Sequence[str], settings: Settings, known: Catalog, lookup: CredentialsLookup, publisher: str | None = None
) -> Found:
    """Each GENESIS publisher with credentials asked through `find/find`; the others are noted."""
    names = _catalogued(known.datasets)
    hits: list[Hit] = []
    notes: list[str] = []
    term = " ".join(words)
    for source in CATALOGUES:
        if publisher not in (None, source):
            continue
        client = genesis_client(source, settings, lookup)
        if client.credentials is None:
            notes.append(f"{source}: not asked, no credentials ({client.publisher.env_prefix}_USERNAME or _TOKEN)")
            continue
        try:
            found = client.find_tables(term)
        except SourceError as exc:
            notes.append(f"{source}: {exc}")
            continue
        # the publisher's search also reads what a title does not say (variables, notes): its hits stand
        hits += [Hit(source, t.code, t.title, t.time, names.get((source, t.code))) for t in found]
    return Found(_catalogued_first(hits), "the publishers' own search (find/find)", notes)


def _catalogued_first(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda hit: hit.dataset is None)


def _catalogued(datasets: Sequence[Dataset]) -> dict[tuple[str, str], str]:
    return {(d.source, d.table): d.name for d in datasets}


def catalog_entry(hit: Hit) -> str:
    """A user-catalog entry that loads the table as published (codes as measures)."""
    first = next((part[-4:] for part in hit.time.replace("-", " ").split() if part[-4:].isdigit()), "1995")
    name = "".join(c if c.isalnum() else "_" for c in hit.code.lower()).strip("_")
    title = hit.title.replace("\\", "\\\\").replace('"', '\\"')
    return "\n".join(
        [
            "[[dataset]]",
            f'name = "table_{name}"',
            'topic = "other"',
            f'source = "{hit.publisher}"',
            f'table = "{hit.code}"',
            f'title = "{title}"',
            'measures = "keep_codes"',
            f"first_year = {first}",
        ]
    )

"""A large v5 flat file for benchmarks: population by Gemeinde, sex and single year of age.

The layout is the publisher's (the header and columns of 12411-04-02-4 at Gemeinde level); the
Gemeinde codes are invented below the real Kreise of Hessen and Sachsen, the figures are random,
and `statistics_label` says SYNTHETIC in every row. Nothing here is official statistics.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from demografie.devserver.synthetic import OLDEST, SEXES
from demografie.laender import DEFAULT_STATES
from demografie.reference import regions_on
from demografie.transforms.ffcsv import header_columns
from demografie.transforms.schema import SYNTHETIC_NOTICE

TABLE = "12411-04-02-4"
GEMEINDEN_PER_KREIS = 40
LAST_YEAR = 2024


def write_large_flat_file(path: Path, rows: int, seed: int = 7) -> int:
    """Write at least `rows` data rows (whole Gemeinde blocks), newest year first; returns the count."""
    rng = random.Random(seed)
    kreise = [r for r in regions_on(date(LAST_YEAR, 12, 31), "kreis") if r.state in DEFAULT_STATES]
    gemeinden = [(f"{k.code}{i:03d}", f"Gemeinde {i} ({k.name})") for k in kreise for i in range(GEMEINDEN_PER_KREIS)]
    ages = [(f"ALTVOLL{a:03d}", f"{a} Jahre") for a in range(OLDEST)] + [("ALTVOLL090UM", "90 Jahre und mehr")]
    label = f"Fortschreibung des Bevölkerungsstandes ({SYNTHETIC_NOTICE})"
    written = 0
    year = LAST_YEAR
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\ufeff" + _header() + "\n")
        while written < rows:
            prefix = f"12411;{label};STAG;Stichtag;{year}-12-31;GEMEIN;Gemeinden;"
            for code, name in gemeinden:
                for sex_code, sex_label in SEXES:
                    head = f"{prefix}{code};{name};GES;Geschlecht;{sex_code};{sex_label};ALTX20;Altersjahre;"
                    out.write(
                        "".join(
                            f"{head}{age_code};{age_label};{rng.randrange(0, 400)};Anzahl;BEVSTD;Bevölkerungsstand\n"
                            for age_code, age_label in ages
                        )
                    )
                    written += len(ages)
                if written >= rows:
                    break
            year -= 1
    return written


def _header() -> str:
    return ";".join(header_columns(3))

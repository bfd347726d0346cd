"""Age classes as inclusive bounds (`age_from`, `age_to`; `age_to` NULL when open-ended).

GENESIS writes the same class as a code in flat files (`ALT000B03`, `ALT075UM`) and as a label
in table CSVs and workbooks ("unter 3 Jahre", "75 Jahre und mehr", "1-Jährige", "Unter 1").
Both are read here, so every age classification ends in the same two columns.
"""

from __future__ import annotations

import re

AgeBounds = tuple[int | None, int | None]

TOTAL: AgeBounds = (None, None)
AGE_VARIABLE = re.compile(r"^ALT")

_CODES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^ALT(\d{3})B(\d{2,3})$"), "range"),
    (re.compile(r"^ALT(\d{3})UM$"), "open"),
    (re.compile(r"^ALTVOLL(\d{3})$"), "single"),
    (re.compile(r"^ALTVOLL(\d{3})UM$"), "open"),
)
# German labels, and the English ones of answers in language=en ("under 3 years", "3 to under 6
# years", "75 years and over", "1 year")
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^unter (\d+)( jahre?)?$"), "under"),
    (re.compile(r"^(\d+) bis unter (\d+)( jahre?)?$"), "range"),
    (re.compile(r"^(\d+)-jährige$"), "single"),
    (re.compile(r"^(\d+) jahre?$"), "single"),
    (re.compile(r"^(\d+)( jahre)? (und|oder) (mehr|älter)$"), "open"),
    (re.compile(r"^under (\d+)( years?)?$"), "under"),
    (re.compile(r"^(\d+) to under (\d+)( years?)?$"), "range"),
    (re.compile(r"^(\d+)-year-olds?$"), "single"),
    (re.compile(r"^(\d+) years?( old)?$"), "single"),
    (re.compile(r"^(\d+)( years)? (and|or) (over|more|older)$"), "open"),
)


def age_bounds(code: str, label: str) -> AgeBounds | None:
    """Bounds of an age class from its code, else its label; None if neither is understood."""
    if code == "" and label.strip().lower() in ("insgesamt", "total", ""):  # "": not broken down by age
        return TOTAL
    for pattern, kind in _CODES:
        if match := pattern.match(code):
            return _bounds(kind, match)
    text = " ".join(label.split()).lower()
    if text in ("insgesamt", "total"):
        return TOTAL
    for pattern, kind in _LABELS:
        if match := pattern.match(text):
            return _bounds(kind, match)
    return None


def is_age_label(label: str) -> bool:
    return age_bounds("", label) not in (None, TOTAL)


def _bounds(kind: str, match: re.Match[str]) -> AgeBounds:
    first = int(match.group(1))
    if kind == "under":
        return (0, first - 1)
    if kind == "range":
        return (first, int(match.group(2)) - 1)
    if kind == "single":
        return (first, first)
    return (first, None)

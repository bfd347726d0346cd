"""The numbers an operator may tune through the environment, in one place: each with its default
and its lower bound, read with an error that names the variable (a value such as `4s` or `0` would
otherwise surface far away, as "unreachable" or a bare "could not convert string to float")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from demografie.errors import DemografieError


@dataclass(frozen=True)
class Tunable:
    name: str
    default: float
    minimum: float
    whole: bool
    meaning: str


# the largest file a zip may unpack to (archive.py)
MAX_UNPACKED_BYTES = "DEMOGRAFIE_MAX_UNPACKED_BYTES"
# how long a run or a command waits for another that holds the data home
LOCK_WAIT_SECONDS = "DEMOGRAFIE_LOCK_WAIT_SECONDS"
# how much memory the warehouse build's DuckDB may use before it spills to disk
BUILD_MEMORY_MB = "DEMOGRAFIE_BUILD_MEMORY_MB"
# how long the nightly run trusts a publisher's "nothing newer than this Stand"
RECHECK_DAYS = "DEMOGRAFIE_RECHECK_DAYS"
TUNABLES = {
    t.name: t
    for t in (
        Tunable("DEMOGRAFIE_HTTP_ATTEMPTS", 4, 1, True, "tries per HTTP request"),
        Tunable("DEMOGRAFIE_HTTP_BACKOFF_SECONDS", 2.0, 0, False, "first wait between tries"),
        # a large flat file streams for minutes
        Tunable("DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS", 300.0, 0.1, False, "how long an answer may stall"),
        # an answer that trickles in never trips the read timeout (each byte resets it)
        Tunable("DEMOGRAFIE_HTTP_DEADLINE_SECONDS", 1800.0, 0.1, False, "how long one try may take in all"),
        Tunable("DEMOGRAFIE_JOB_POLL_SECONDS", 5.0, 0, False, "wait between polls of a background job"),
        Tunable("DEMOGRAFIE_JOB_TIMEOUT_SECONDS", 3000.0, 0.1, False, "how long a background job may take"),
        Tunable("DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS", 60.0, 0, False, "wait before a failed fetch is tried again"),
        # a publisher may revise figures without a new Stand (restatis#83): `stand` would hide that
        Tunable(RECHECK_DAYS, 28.0, 0, False, "days after which a table is asked for whole (no `stand`)"),
        Tunable(LOCK_WAIT_SECONDS, 600.0, 0, False, "how long a run waits for another"),
        # the largest Regionaldatenbank flat files are tens of MB; anything far larger is a zip bomb
        Tunable(MAX_UNPACKED_BYTES, 2 * 1024**3, 1, True, "largest file a zip may unpack to"),
        # DuckDB's own default is 80 % of the RAM: a build of tens of millions of versions would
        # take it all; past this limit it spills to a temporary directory beside the warehouse
        Tunable(BUILD_MEMORY_MB, 1024, 128, True, "memory of the warehouse build in MB (it spills to disk beyond)"),
    )
}


class TuningError(DemografieError, ValueError):
    """A tuning variable holds no usable number; the message names it, its value and its default."""


def default(name: str) -> float:
    """The default of tuning variable `name` (what a policy object starts from)."""
    return TUNABLES[name].default


def read_tunable(name: str, environ: Mapping[str, str]) -> float:
    """The value of tuning variable `name` in `environ`, or its default when unset (settings.Settings
    reads them all once)."""
    tunable = TUNABLES[name]
    text = environ.get(name, "").strip()
    if not text:
        return tunable.default
    kind = "a whole number" if tunable.whole else "a number"
    try:
        value = float(int(text)) if tunable.whole else float(text)
    except ValueError:
        raise TuningError(
            f"{name}={text[:40]!r} is not {kind} ({tunable.meaning}; default {tunable.default:g})"
        ) from None
    if not math.isfinite(value):
        # float() takes "nan" and "inf": a wait of nan compares false with every bound and never ends
        raise TuningError(
            f"{name}={text[:40]!r} is not a finite number ({tunable.meaning}; default {tunable.default:g})"
        )
    if value < tunable.minimum:
        raise TuningError(
            f"{name}={text!r} is below {tunable.minimum:g} ({tunable.meaning}; default {tunable.default:g})"
        )
    return value


def markdown_table() -> str:
    """The README's table of tuning variables."""
    rows = [
        f"| `{t.name}` | {t.default:,.0f} | {t.minimum:g} | {t.meaning} |".replace(",", " ") for t in TUNABLES.values()
    ]
    return "\n".join(["| variable | default | minimum | what it tunes |", "|---|---|---|---|", *rows])

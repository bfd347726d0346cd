"""What a run did, kept in `<home>/runs.jsonl` (read by `demografie status`): the outcome of each
table, whether it built, when it held the data home. Without Prefect: the flows fill a RunSummary,
and so may anything else that loads."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from demografie.fileio import atomic_write_bytes
from demografie.redact import redact
from demografie.settings import Paths
from demografie.usecases.load import Outcome, TableOutcome
from demografie.usecases.rebuild import BuildSummary

RUN_LOG = "runs.jsonl"
EARLIEST_YEAR = 1900  # the protocol's lower bound for startyear


@dataclass
class RunSummary:
    load_id: str
    flow: str = "nightly"
    started_at: str = field(default_factory=lambda: now())
    locked_at: str = ""  # when the run got the data home's writer lock
    tables: list[TableOutcome] = field(default_factory=list)
    build: BuildSummary | None = None

    @property
    def failures(self) -> list[TableOutcome]:
        return [t for t in self.tables if t.outcome is Outcome.FAILED]


def check_years(from_year: int | None, to_year: int | None) -> None:
    """Years a publisher can answer for: refused here, not sent and answered with status 104."""
    latest = datetime.now().year + 1
    for name, year in (("from_year", from_year), ("to_year", to_year)):
        if year is not None and not EARLIEST_YEAR <= year <= latest:
            raise ValueError(f"{name} {year} is outside {EARLIEST_YEAR}–{latest}")
    if from_year is not None and to_year is not None and from_year > to_year:
        raise ValueError(f"from_year {from_year} is after to_year {to_year}")


@dataclass(frozen=True)
class RunRecord:
    """One line of `<home>/runs.jsonl`: a run, what became of its tables, whether it built."""

    load_id: str
    flow: str
    started_at: str
    locked_at: str
    finished_at: str
    outcomes: dict[str, int]  # per Outcome
    failed: list[str]  # what failed and why (TableOutcome.failure)
    built: bool

    @classmethod
    def of(cls, summary: RunSummary) -> RunRecord:
        return cls(
            load_id=summary.load_id,
            flow=summary.flow,
            started_at=summary.started_at,
            locked_at=summary.locked_at,
            finished_at=now(precise=True),
            outcomes={str(o): sum(t.outcome is o for t in summary.tables) for o in Outcome},
            failed=[t.failure() for t in summary.failures],
            built=summary.build is not None,
        )

    @classmethod
    def from_line(cls, line: str) -> RunRecord:
        """The record a line holds; ValueError (naming nothing) if it holds none."""
        entry = json.loads(line)
        if not isinstance(entry, dict) or not isinstance(entry.get("outcomes"), dict):
            raise ValueError("not a run record")
        return cls(**{f.name: entry.get(f.name, DEFAULTS.get(f.name, "")) for f in fields(cls)})


DEFAULTS: dict[str, Any] = {"outcomes": {}, "failed": [], "built": False}


def record(paths: Paths, summary: RunSummary) -> None:
    """Append the run to `<home>/runs.jsonl`."""
    log = paths.home / RUN_LOG
    previous = log.read_bytes() if log.exists() else b""
    if previous and not previous.endswith(b"\n"):
        previous += b"\n"  # a line left unfinished (a full disk, a hand edit) stays apart from ours
    line = redact(json.dumps(asdict(RunRecord.of(summary)), ensure_ascii=False))
    atomic_write_bytes(log, previous + line.encode("utf-8") + b"\n")


def recent_runs(paths: Paths, count: int) -> list[RunRecord | str]:
    """The last `count` runs recorded in the data home, newest first; a line that holds no run
    record (damaged, hand-edited, of another layout) is a note that names it."""
    log = paths.home / RUN_LOG
    if not log.exists():
        return []
    runs: list[RunRecord | str] = []
    for number, line in enumerate(log.read_text("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            runs.append(RunRecord.from_line(line))
        except (ValueError, TypeError):
            runs.append(f"{RUN_LOG} line {number} is not a run record: {line[:60]!r}")
    return runs[::-1][:count]


def now(precise: bool = False) -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds" if precise else "seconds")

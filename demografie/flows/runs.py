"""What every run shares: the outcome record, one table's fetch-and-load, the writer lock, the
closing build, the run log and the Prefect artifacts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL

from demografie.catalog import Access, Dataset
from demografie.errors import FlowError
from demografie.fileio import atomic_write_bytes, remove_temporaries
from demografie.flows import progress
from demografie.flows.tasks import (
    BuildSummary,
    build,
    check_login,
    download,
    extract,
    global_slot,
    load,
)
from demografie.redact import redact
from demografie.settings import Paths, Settings
from demografie.usecases.fetch import Extracted, Unchanged
from demografie.usecases.load import Outcome, TableOutcome
from demografie.warehouse.build import is_current, remove_build_leftovers
from demografie.warehouse.lock import HomeLockedError, writer_lock

RUN_LOG = "runs.jsonl"
WRITER_LIMIT = "demografie-writer"


@dataclass
class RunSummary:
    load_id: str
    flow: str = "nightly"
    started_at: str = field(default_factory=lambda: _now())
    locked_at: str = ""  # when the run got the data home's writer lock
    tables: list[TableOutcome] = field(default_factory=list)
    build: BuildSummary | None = None

    @property
    def failures(self) -> list[TableOutcome]:
        return [t for t in self.tables if t.outcome is Outcome.FAILED]


class RunFailedError(FlowError, RuntimeError):
    """Some tables failed; the others were loaded and the warehouse was built from them."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        lines = [f"- {t.failure()}" for t in summary.failures]
        super().__init__(f"{len(lines)} table(s) failed:\n" + "\n".join(lines))


EARLIEST_YEAR = 1900  # the protocol's lower bound for startyear


def check_years(from_year: int | None, to_year: int | None) -> None:
    """Years a publisher can answer for: refused here, not sent and answered with status 104."""
    latest = datetime.now().year + 1
    for name, year in (("from_year", from_year), ("to_year", to_year)):
        if year is not None and not EARLIEST_YEAR <= year <= latest:
            raise ValueError(f"{name} {year} is outside {EARLIEST_YEAR}–{latest}")
    if from_year is not None and to_year is not None and from_year > to_year:
        raise ValueError(f"from_year {from_year} is after to_year {to_year}")


def current_load_id() -> str:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else uuid.uuid4().hex


@contextmanager
def exclusive(settings: Settings, summary: RunSummary) -> Iterator[None]:
    """Hold the data home for this run: two runs never write the same lake and warehouse.

    On one machine the flock decides. Workers on several machines that share one data home also
    take the slot of the global concurrency limit `demografie-writer` (limit 1, created by
    `demografie deploy`), which the Prefect server holds for all of them. Both wait
    `DEMOGRAFIE_LOCK_WAIT_SECONDS` for another run.
    """
    paths, wait = settings.paths, settings.lock_wait_seconds
    with (
        writer_slot(wait),
        writer_lock(paths.home, f"{summary.flow} {summary.load_id}", wait_seconds=wait),
    ):
        summary.locked_at = _now(precise=True)
        left = remove_leftovers(paths)
        if left:
            get_run_logger().warning("removed %d file(s) left by a killed run: %s", len(left), ", ".join(left[:5]))
        yield


def remove_leftovers(paths: Paths) -> list[str]:
    """Temporaries of writes that never finished (a run killed mid-write) in the places we write:
    the home itself, raw/ and lake/ (where they are local), and the half-built warehouse files
    beside the live one; called with the home held, so nobody of ours is writing them."""
    leftovers = remove_temporaries(paths.home, recursive=False)
    for store in (paths.raw, paths.lake):
        if store.is_local:
            leftovers += remove_temporaries(Path(store.root))
    leftovers += remove_build_leftovers(paths.warehouse)
    return [str(path.relative_to(paths.home)) if path.is_relative_to(paths.home) else str(path) for path in leftovers]


@contextmanager
def writer_slot(wait_seconds: float) -> Iterator[None]:
    with ExitStack() as stack:
        try:
            stack.enter_context(global_slot(WRITER_LIMIT, wait_seconds))
        except TimeoutError:
            raise HomeLockedError(
                f"another run holds the global concurrency limit {WRITER_LIMIT} (the shared data home); "
                f"gave up after waiting {wait_seconds:.0f} s"
            ) from None
        yield


def logins(publishers: list[str], settings: Settings) -> dict[str, str]:
    """Check each publisher's credentials once; a refused publisher fails its tables, not the run."""
    refused = {}
    for publisher in publishers:
        try:
            check_login(publisher, settings)
        except Exception as exc:
            get_run_logger().error("%s", exc)
            progress.report("failed", redact(str(exc)))
            refused[publisher] = redact(str(exc))
    return refused


def fetch_all(
    datasets: Iterable[Dataset],
    plan: Callable[[Dataset], Iterable[tuple[int, int]]],
    settings: Settings,
    states: list[str],
    summary: RunSummary,
    *,
    synthetic: bool = False,
    force: bool = False,
) -> None:
    """The loop of nightly and backfill, which differ only in `plan`, the year ranges asked of
    each dataset: check each publisher's login once, then fetch and load range by range."""
    chosen = list(datasets)
    refused = logins(sorted({d.source for d in chosen if d.access is Access.API}), settings)
    for dataset in chosen:
        for years in plan(dataset):
            if dataset.source in refused:
                outcome = TableOutcome(dataset.name, dataset.table, Outcome.FAILED, message=refused[dataset.source])
            else:
                outcome = fetch_and_load(dataset, years, settings, states, summary, synthetic=synthetic, force=force)
            summary.tables.append(outcome)


def fetch_and_load(
    dataset: Dataset,
    years: tuple[int, int],
    settings: Settings,
    states: list[str],
    summary: RunSummary,
    *,
    synthetic: bool = False,
    force: bool = False,
) -> TableOutcome:
    """One table (or one chunk of it): fetch, land, load. A failure is reported, not raised, so
    that the other tables of the run still load."""
    span = f"{years[0]}-{years[1]}"
    outcome = _fetch_and_load(dataset, years, f"{dataset.table} {span}", settings, states, summary, synthetic, force)
    return replace(outcome, years=span)


def _fetch_and_load(
    dataset: Dataset,
    years: tuple[int, int],
    label: str,
    settings: Settings,
    states: list[str],
    summary: RunSummary,
    synthetic: bool,
    force: bool,
) -> TableOutcome:
    try:
        # after the HTTP layer's own retries within seconds, a second chance for outages of a minute
        delay = settings.tuned("DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS")
        extracted: Extracted | Unchanged
        if dataset.access is Access.DOWNLOAD:
            extracted = download.with_options(retry_delay_seconds=delay)(dataset.name, settings)
        else:
            extracted = extract.with_options(task_run_name=f"extract {label}", retry_delay_seconds=delay)(
                dataset.name, years[0], years[1], settings, states, force
            )
        if isinstance(extracted, Unchanged):
            progress.report("unchanged", f"{label}: nothing newer than {extracted.held}")
            return TableOutcome(
                dataset.name,
                dataset.table,
                Outcome.UNCHANGED,
                vintage=extracted.held.isoformat(),
                message="status 50: nothing newer than the vintage we hold",
            )
        return load(extracted, settings, states, summary.load_id, synthetic)
    except Exception as exc:  # one table's failure must not stop the others
        get_run_logger().error("%s failed: %s", label, redact(str(exc)))
        progress.report("failed", redact(f"{label}: {exc}"))
        return TableOutcome(dataset.name, dataset.table, Outcome.FAILED, message=redact(str(exc)))


def finish(settings: Settings, summary: RunSummary) -> RunSummary:
    """Build if anything new was loaded or the warehouse lags behind the lake (no warehouse yet,
    or a killed run), record the run, publish its artifacts, and fail the run if any table failed."""
    paths = settings.paths
    if any(t.outcome is Outcome.LOADED for t in summary.tables) or not is_current(paths):
        summary.build = build(settings)
    else:
        get_run_logger().info("nothing new: the warehouse stays as it is")
    record(paths, summary)
    publish_artifacts(summary)
    if summary.failures:
        raise RunFailedError(summary)
    return summary


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
            finished_at=_now(precise=True),
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
    """Append the run to `<home>/runs.jsonl` (read by `demografie status`)."""
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


def server_runs(count: int) -> list[dict[str, str]]:
    """The last flow runs on the configured Prefect server (not the scheduled ones), newest first;
    empty without a configured server."""
    if not PREFECT_API_URL.value():
        return []
    with get_client(sync_client=True) as client:
        flows = {f.id: f.name for f in client.read_flows()}
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(not_any_=[StateType.SCHEDULED]))
            ),
            sort=FlowRunSort.START_TIME_DESC,
            limit=count,
        )
    return [
        {
            "flow": flows.get(run.flow_id, "?"),
            "name": run.name,
            "state": (run.state.name or "?") if run.state else "?",
            "started": f"{run.start_time:%Y-%m-%d %H:%M:%S}" if run.start_time else "",
            "took": f"{run.total_run_time.total_seconds():.0f} s",
        }
        for run in runs
    ]


def publish_artifacts(summary: RunSummary) -> None:
    """A table of what was fetched, skipped, loaded and failed, and the quality checks, for the UI."""
    create_table_artifact(
        key=f"{summary.flow}-tables",
        table=[{k: v for k, v in asdict(t).items()} for t in summary.tables],
        description=f"{summary.flow} run {summary.load_id}: every table and what became of it",
    )
    if summary.build is not None:
        create_table_artifact(
            key=f"{summary.flow}-checks",
            table=summary.build.checks,
            description=f"Quality checks of the warehouse built by {summary.flow} run {summary.load_id}",
        )


def _now(precise: bool = False) -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds" if precise else "seconds")

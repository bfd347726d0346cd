"""What every run shares in Prefect: the hold on the data home (the lock file and the server's
writer limit), one table's fetch-and-load as tasks, the closing build and the artifacts. The run
record itself is usecases/runlog.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL

from demografie import progress
from demografie.catalog import Access, Dataset
from demografie.errors import FlowError, HomeLockedError
from demografie.flows.tasks import build, check_login, download, extract, global_slot, load
from demografie.redact import redact
from demografie.settings import Settings
from demografie.usecases.fetch import Extracted, Unchanged
from demografie.usecases.load import Outcome, TableOutcome
from demografie.usecases.rebuild import holding, lags_behind, remove_leftovers
from demografie.usecases.runlog import RunSummary, now, record

WRITER_LIMIT = "demografie-writer"


class RunFailedError(FlowError, RuntimeError):
    """Some tables failed; the others were loaded and the warehouse was built from them."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        lines = [f"- {t.failure()}" for t in summary.failures]
        super().__init__(f"{len(lines)} table(s) failed:\n" + "\n".join(lines))


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
    with writer_slot(settings.lock_wait_seconds), holding(settings, f"{summary.flow} {summary.load_id}"):
        summary.locked_at = now(precise=True)
        left = remove_leftovers(settings.paths)
        if left:
            get_run_logger().warning("removed %d file(s) left by a killed run: %s", len(left), ", ".join(left[:5]))
        yield


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
    if any(t.outcome is Outcome.LOADED for t in summary.tables) or lags_behind(settings):
        summary.build = build(settings)
    else:
        get_run_logger().info("nothing new: the warehouse stays as it is")
    record(paths, summary)
    publish_artifacts(summary)
    if summary.failures:
        raise RunFailedError(summary)
    return summary


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

"""The nightly flow: extract -> normalise -> lake for every dataset, then build and check."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from demografie import catalog
from demografie.catalog import Access, Dataset
from demografie.flows import progress
from demografie.flows.tasks import (
    BuildSummary,
    TableOutcome,
    Unchanged,
    build,
    check_login,
    download,
    extract,
    load,
)
from demografie.settings import Paths


@dataclass
class RunSummary:
    load_id: str
    tables: list[TableOutcome] = field(default_factory=list)
    build: BuildSummary | None = None

    @property
    def failures(self) -> list[TableOutcome]:
        return [t for t in self.tables if t.outcome == "failed"]


class RunFailedError(RuntimeError):
    """Some tables failed; the others were loaded and the warehouse was built from them."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        lines = [f"- {t.table} ({t.dataset}): {t.message}" for t in summary.failures]
        super().__init__(f"{len(lines)} table(s) failed:\n" + "\n".join(lines))


def year_window(dataset: Dataset, as_of: date, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    end = to_year if to_year is not None else as_of.year
    start = from_year if from_year is not None else end - dataset.nightly_years + 1
    return max(start, dataset.first_year), end


def _logins(publishers: list[str]) -> dict[str, str]:
    """Check each publisher's credentials once; a refused publisher fails its tables, not the run."""
    refused = {}
    for publisher in publishers:
        try:
            check_login(publisher)
        except Exception as exc:
            get_run_logger().error("%s", exc)
            progress.report("failed", str(exc))
            refused[publisher] = str(exc)
    return refused


def task_retry_delay() -> float:
    """Seconds before a fetch task is tried once more after a failure that may pass (default 60;
    `DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS`). The HTTP layer has already retried within seconds;
    this second chance is for outages that last a minute."""
    return float(os.environ.get("DEMOGRAFIE_TASK_RETRY_DELAY_SECONDS", "60"))


def current_load_id() -> str:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else uuid.uuid4().hex


@flow(name="nightly")
def nightly(
    datasets: list[str] | None = None,
    states: list[str] | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    as_of: date | None = None,
    home: str | None = None,
    synthetic: bool = False,
) -> RunSummary:
    """Fetch every dataset's recent years, load what is new, rebuild the warehouse.

    A table that fails is reported and skipped; the others still load, the warehouse is built
    from everything committed, and the run then fails with a message naming each failed table.
    """
    logger = get_run_logger()
    paths = Paths.from_env(home)
    paths.ensure()
    chosen = catalog.select(datasets)
    wanted_states = sorted(states or catalog.STATES)
    summary = RunSummary(current_load_id())
    retry_delay = task_retry_delay()
    refused = _logins(sorted({d.source for d in chosen if d.access is Access.API}))
    for dataset in chosen:
        start, end = year_window(dataset, as_of or date.today(), from_year, to_year)
        if dataset.source in refused:
            summary.tables.append(TableOutcome(dataset.name, dataset.table, "failed", message=refused[dataset.source]))
            continue
        try:
            extracted = (
                download.with_options(retry_delay_seconds=retry_delay)(dataset.name, str(paths.home))
                if dataset.access is Access.DOWNLOAD
                else extract.with_options(retry_delay_seconds=retry_delay)(
                    dataset.name, start, end, str(paths.home), wanted_states
                )
            )
            if isinstance(extracted, Unchanged):
                progress.report("unchanged", f"{dataset.table}: nothing newer than {extracted.held}")
                outcome = TableOutcome(
                    dataset.name,
                    dataset.table,
                    "unchanged",
                    vintage=extracted.held.isoformat(),
                    message="status 50: nothing newer than the vintage we hold",
                )
            else:
                outcome = load(extracted, str(paths.home), wanted_states, summary.load_id, synthetic)
        except Exception as exc:  # one table's failure must not stop the others
            logger.error("%s failed: %s", dataset.table, exc)
            progress.report("failed", f"{dataset.table}: {exc}")
            outcome = TableOutcome(dataset.name, dataset.table, "failed", message=str(exc))
        summary.tables.append(outcome)
    if any(t.outcome == "loaded" for t in summary.tables) or not paths.warehouse.exists():
        summary.build = build(str(paths.home))
    else:
        logger.info("nothing new: the warehouse stays as it is")
    if summary.failures:
        raise RunFailedError(summary)
    return summary

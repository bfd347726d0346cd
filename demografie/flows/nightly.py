"""The nightly flow: extract -> normalise -> lake for every dataset, then build and check."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from demografie import catalog
from demografie.catalog import Access, Dataset
from demografie.flows import progress
from demografie.flows.runs import (
    RunFailedError,
    RunSummary,
    current_load_id,
    exclusive,
    fetch_and_load,
    finish,
    task_retry_delay,
)
from demografie.flows.tasks import TableOutcome, check_login
from demografie.settings import Paths

__all__ = ["RunFailedError", "RunSummary", "current_load_id", "nightly", "task_retry_delay", "year_window"]


def year_window(dataset: Dataset, as_of: date, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    end = to_year if to_year is not None else as_of.year
    start = from_year if from_year is not None else end - dataset.nightly_years + 1
    return max(start, dataset.first_year), end


def reference_day(as_of: date | None) -> date:
    """The day the run is for: `as_of`, else the run's scheduled start in Berlin, so a scheduled, a
    late and a manually triggered run of the same night ask for the same years."""
    if as_of is not None:
        return as_of
    scheduled = flow_run.scheduled_start_time
    if scheduled is None:
        return date.today()
    day: date = scheduled.astimezone(ZoneInfo("Europe/Berlin")).date()
    return day


def logins(publishers: list[str]) -> dict[str, str]:
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
    paths = Paths.from_env(home)
    paths.ensure()
    chosen = catalog.select(datasets)
    wanted_states = sorted(states or catalog.STATES)
    summary = RunSummary(current_load_id(), "nightly")
    day = reference_day(as_of)
    with exclusive(paths, summary):
        refused = logins(sorted({d.source for d in chosen if d.access is Access.API}))
        for dataset in chosen:
            if dataset.source in refused:
                summary.tables.append(
                    TableOutcome(dataset.name, dataset.table, "failed", message=refused[dataset.source])
                )
                continue
            years = year_window(dataset, day, from_year, to_year)
            summary.tables.append(fetch_and_load(dataset, years, paths, wanted_states, summary, synthetic=synthetic))
        return finish(paths, summary)

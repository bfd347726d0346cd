"""The nightly flow: extract -> normalise -> lake for every dataset, then build and check."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.runtime import flow_run

from demografie import catalog
from demografie.catalog import Dataset
from demografie.flows.runs import current_load_id, exclusive, fetch_all, finish
from demografie.settings import Settings
from demografie.usecases.runlog import RunSummary, check_years


def year_window(dataset: Dataset, as_of: date, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    if dataset.projection and dataset.last_year is not None:
        # the years asked of a run are those of observations: a projection is asked for whole (a new
        # edition revises every year ahead, and the table is small)
        return dataset.first_year, dataset.last_year
    end = to_year if to_year is not None else as_of.year
    if dataset.last_year is not None:
        end = min(end, dataset.last_year)  # a census or a discontinued table: its last years
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
    check_years(from_year, to_year)
    settings = Settings.from_env(home)
    settings.paths.ensure()
    chosen = catalog.of(settings).select(datasets)  # with the user catalog of this home
    wanted_states = sorted(states or settings.states)
    summary = RunSummary(current_load_id(), "nightly")
    day = reference_day(as_of)
    with exclusive(settings, summary):
        fetch_all(
            chosen,
            lambda d: [year_window(d, day, from_year, to_year)],
            settings,
            wanted_states,
            summary,
            synthetic=synthetic,
        )
        return finish(settings, summary)

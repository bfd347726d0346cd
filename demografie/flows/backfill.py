"""The backfill flow: a range of years for some or all datasets, in chunks the publisher can serve.

Each chunk (one table, a few years) is fetched and loaded on its own, so a failing chunk fails
alone and a second run fetches only what is still missing: finished chunks send the vintage they
hold as `stand` and the publisher answers "nothing newer". `force` asks again regardless; the lake
still recognises an identical delivery, so a forced re-run changes nothing unless the publisher
changed something. The nightly flow's change detection is not disturbed: it sends a vintage only
for deliveries that covered its own years.
"""

from __future__ import annotations

from collections.abc import Iterator

from prefect import flow

from demografie import catalog
from demografie.catalog import Access, Dataset
from demografie.flows.runs import current_load_id, exclusive, fetch_all, finish
from demografie.settings import Settings
from demografie.usecases.runlog import RunSummary, check_years

# Years per request: the Regionaldatenbank's tables stay well under its dialog limit at five
# years of Kreise; larger answers are still handled (job or split), this only keeps them rare.
CHUNK_YEARS = 5


def chunks(dataset: Dataset, from_year: int, to_year: int, size: int = CHUNK_YEARS) -> Iterator[tuple[int, int]]:
    """Year ranges of at most `size` years within the dataset's coverage; one for a web download."""
    first = max(from_year, dataset.first_year)
    last = min(to_year, dataset.last_year or to_year)
    if first > last:
        return
    if dataset.access is Access.DOWNLOAD:
        yield (first, last)  # the web download always sends the whole table
        return
    for start in range(first, last + 1, size):
        yield (start, min(start + size - 1, last))


@flow(name="backfill")
def backfill(
    from_year: int,
    to_year: int,
    datasets: list[str] | None = None,
    states: list[str] | None = None,
    force: bool = False,
    home: str | None = None,
    synthetic: bool = False,
) -> RunSummary:
    """Fetch `from_year`..`to_year` of every dataset (or those named), chunk by chunk, then build."""
    check_years(from_year, to_year)
    settings = Settings.from_env(home)
    settings.paths.ensure()
    chosen = catalog.of(settings).select(datasets)  # with the user catalog of this home
    wanted_states = sorted(states or settings.states)
    summary = RunSummary(current_load_id(), "backfill")
    with exclusive(settings, summary):
        fetch_all(
            chosen,
            lambda d: chunks(d, from_year, to_year),
            settings,
            wanted_states,
            summary,
            synthetic=synthetic,
            force=force,
        )
        return finish(settings, summary)

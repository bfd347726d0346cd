"""Fetching one table: ask for its vintage, reuse an answer already landed for the same request,
tell invented figures, land every answer byte-exact, and say "unchanged" when the publisher has
nothing newer. No Prefect here: the caller passes the publisher's concurrency slot and a logger."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from demografie.catalog import Dataset
from demografie.settings import Paths
from demografie.sources.errors import NoNewerDataError, UnexpectedResponseError
from demografie.sources.fetching import Route, TableFetcher
from demografie.sources.genesis import GenesisClient, TableRequest, format_stand
from demografie.sources.landing import RequestPart, land_download, landed_parts, last_asked, request_key
from demografie.sources.webdownload import WebDownloadClient
from demografie.transforms.normalise import VintageBasis
from demografie.transforms.schema import SYNTHETIC_NOTICE
from demografie.warehouse.lake import held_vintage

Slot = Callable[[], AbstractContextManager[None]]
Log = logging.Logger | logging.LoggerAdapter[logging.Logger]
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """What was landed for one table: one raw file, or one per part of a split request."""

    dataset: str
    table: str
    raw_files: list[str]
    vintage: datetime
    retrieved_at: datetime
    decimal: str | None
    years: tuple[int, int] | None = None
    route: Route = Route.DIALOG
    basis: VintageBasis = VintageBasis.PUBLISHER  # how `vintage` is known (the API's Stand)
    # The publisher's title says the figures are invented (the demo server), whatever the flow says.
    synthetic: bool = False


@dataclass(frozen=True)
class Unchanged:
    """The publisher has nothing newer than the vintage we hold (status 50)."""

    dataset: str
    table: str
    held: datetime


def fetch_table(
    dataset: Dataset,
    client: GenesisClient,
    fetcher: TableFetcher,
    paths: Paths,
    years: tuple[int, int],
    *,
    force: bool = False,
    recheck_days: float | None = None,
    slot: Slot = contextlib.nullcontext,
    log: Log = LOG,
) -> Extracted | Unchanged:
    """Ask for the table's vintage and its flat file, and land every answer byte-exact.

    The request carries the vintage we hold for these years as `stand`, so an unchanged table
    costs one small answer (status 50) and touches nothing; `force` asks unconditionally. So does a
    request not answered for `recheck_days`: publishers revise figures without a new Stand
    (restatis#83), which `stand` would hide for ever; the figures that changed become versions
    under the same Stand (meta.revisions says so).
    """
    held = None if force else held_vintage(paths.lake, dataset.source, dataset.table, *years)
    recheck = held is not None and _due(paths, dataset, years, recheck_days)
    if recheck:
        log.info("%s: asked whole, without stand: not re-checked for %g days", dataset.table, recheck_days)
        held = None
    request = TableRequest(dataset.table, years[0], years[1], stand=format_stand(held), format=dataset.api_format)
    try:
        with slot():
            metadata = client.table_metadata(dataset.table)
            invented = SYNTHETIC_NOTICE in metadata.title
            key = request_key(dataset.table, years, list(fetcher.states), metadata.updated)
            cached = (
                None
                if force or recheck or held == metadata.updated  # a recheck reuses no earlier answer
                else landed_parts(paths.raw, dataset.source, dataset.table, key)
            )
            if cached is not None and metadata.updated is not None:
                log.info("%s: answer for this vintage already landed; not fetched again", dataset.table)
                return Extracted(
                    dataset.name,
                    dataset.table,
                    cached,
                    metadata.updated,
                    metadata.updated,
                    ",",
                    years,
                    Route.CACHE,
                    synthetic=invented,
                )
            fetched = fetcher.fetch(request)
    except NoNewerDataError as exc:
        if held is None:  # 50 answers a `stand`; without one it is a publisher fault
            cause = f"status 50 to a request without stand: {exc.content}"
            raise UnexpectedResponseError(dataset.source, dataset.table, cause) from exc
        log.info("%s: nothing newer than %s", dataset.table, held)
        return Unchanged(dataset.name, dataset.table, held)
    parts = len(fetched.parts)
    raw_files = [
        land_download(paths.raw, dataset.table, part, metadata.updated, RequestPart(key, i, parts)).key
        for i, part in enumerate(fetched.parts)
    ]
    retrieved_at = fetched.parts[-1].retrieved_at
    if metadata.updated is None:
        log.warning(
            "%s: the publisher's metadata gives no readable Stand ('Updated'); the retrieval time %s stands in",
            dataset.table,
            retrieved_at,
        )
    vintage = metadata.updated or retrieved_at
    size = sum(len(part.content) for part in fetched.parts)
    log.info("%s: %d bytes in %d part(s) (%s), vintage %s", dataset.table, size, parts, fetched.route, vintage)
    return Extracted(
        dataset.name, dataset.table, raw_files, vintage, retrieved_at, ",", years, fetched.route, synthetic=invented
    )


def _due(paths: Paths, dataset: Dataset, years: tuple[int, int], recheck_days: float | None) -> bool:
    """Whether the table's answer for these years is older than `recheck_days` (None: never due)."""
    if recheck_days is None:
        return False
    asked = last_asked(paths.raw, dataset.source, dataset.table, years)
    return asked is None or datetime.now(UTC).replace(tzinfo=None) - asked >= timedelta(days=recheck_days)


def download_table(
    dataset: Dataset,
    client: WebDownloadClient,
    paths: Paths,
    *,
    slot: Slot = contextlib.nullcontext,
    log: Log = LOG,
) -> Extracted:
    """Fetch a whole table from a web download (no login) and land it byte-exact. The vintage is the
    Stand the file prints; the retrieval time stands in if it prints none."""
    with slot():
        answer = client.table(dataset.table)
    landed = land_download(paths.raw, dataset.table, answer, None)
    log.info("%s: %d bytes (web download)", dataset.table, len(answer.content))
    return Extracted(
        dataset.name,
        dataset.table,
        [landed.key],
        answer.retrieved_at,
        answer.retrieved_at,
        ",",
        route=Route.DOWNLOAD,
        basis=VintageBasis.RETRIEVED,  # the Stand the file prints replaces it
    )

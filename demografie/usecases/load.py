"""Loading one landed answer into the lake, without Prefect: parse, normalise, check, commit. The
outcome of a table in a run (loaded, unchanged, failed) is declared here too: the flows, the run
log and the commands share it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from demografie import archive
from demografie.catalog import Dataset
from demografie.settings import Paths
from demografie.sources.errors import UnexpectedResponseError
from demografie.storage import Store
from demografie.transforms.normalise import Provenance
from demografie.usecases.fetch import Extracted
from demografie.warehouse.deliveries import Delivery, Opener, load_delivery


class Outcome(StrEnum):
    """What became of one table in a run (the run log counts these)."""

    LOADED = "loaded"  # a new delivery committed
    UNCHANGED = "unchanged"  # nothing newer at the publisher, or the same bytes again
    FAILED = "failed"


@dataclass(frozen=True)
class TableOutcome:
    dataset: str
    table: str
    outcome: Outcome
    rows: int = 0
    first_date: str = ""
    last_date: str = ""
    vintage: str = ""
    message: str = ""
    years: str = ""  # the years asked for (a backfill chunk), when not the file's own

    def failure(self) -> str:
        """What failed and why, as the run log and the closing message say it (a file refused by
        ingest has no dataset, and its message names the file)."""
        return f"{self.table} ({self.dataset}): {self.message}" if self.dataset else self.message


DROPPED_NOTE = (
    "the publisher's answer is a delivery dropped with `demografie deliveries drop`: not loaded again "
    "(a newer vintage is, and `demografie ingest` loads the raw file on purpose)"
)


@dataclass(frozen=True)
class LoadRequest:
    """Who asks for the load: the run's id, the states kept, whether its figures are synthetic."""

    load_id: str
    states: Sequence[str]
    synthetic: bool
    max_bytes: int  # the largest file a zip may unpack to


def load_extracted(extracted: Extracted, dataset: Dataset, paths: Paths, request: LoadRequest) -> TableOutcome:
    """Parse, normalise and commit one landed answer (its raw files) to the lake."""
    try:
        delivery = Delivery(
            dataset,
            [unpacked(dataset.table, paths.raw, key, request.max_bytes) for key in extracted.raw_files],
            Provenance.of(
                dataset,
                extracted.vintage,
                extracted.retrieved_at,
                request.load_id,
                synthetic=request.synthetic or extracted.synthetic,
                basis=extracted.basis,
            ),
            request.states,
            decimal=extracted.decimal,
            years=extracted.years,
        )
        written = load_delivery(paths.lake, delivery, raw_file=", ".join(f"raw/{key}" for key in extracted.raw_files))
    except archive.ArchiveError as exc:
        raise UnexpectedResponseError(dataset.source, dataset.table, str(exc)) from exc
    entry = written.entry
    return TableOutcome(
        dataset.name,
        dataset.table,
        Outcome.LOADED if written.written else Outcome.UNCHANGED,
        0 if written.dropped else entry.rows,
        entry.first_ref_date,
        entry.last_ref_date,
        entry.vintage,
        message=DROPPED_NOTE if written.dropped else "",
    )


def unpacked(table: str, raw: Store, key: str, max_bytes: int) -> Opener:
    """Opens a landed answer as a stream: the file inside a zip (checked), else the file."""
    return archive.unpacking(table, lambda: raw.open_input(key), max_bytes)

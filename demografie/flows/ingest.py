"""The ingest flow: files a person downloaded by hand through the same normalise -> lake -> build
path as the nightly's answers (usecases/ingest.py reads and commits them)."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger

from demografie.flows.runs import current_load_id, exclusive, finish
from demografie.settings import Settings
from demografie.usecases.ingest import BatchRefusedError, IngestRequest, ingest_files
from demografie.usecases.load import Outcome
from demografie.usecases.runlog import RunSummary, record


@flow(name="ingest")
def ingest(
    files: list[str],
    table: str | None = None,
    vintage: datetime | None = None,
    states: list[str] | None = None,
    home: str | None = None,
    keep_going: bool = False,
) -> RunSummary:
    """Read and check every file, then land each in raw/ (as it is), commit it to the lake and
    rebuild the warehouse. One bad file lands and commits nothing of the batch, unless
    `keep_going`: then the good files load and the bad ones are reported.

    The vintage is `vintage` when given; otherwise the Stand printed in the file (table CSVs have
    one); otherwise the retrieval stamp in a GENESIS file name; otherwise the file's modification
    time, which for a fresh download is when it was retrieved.
    """
    settings = Settings.from_env(home)
    settings.paths.ensure()
    summary = RunSummary(current_load_id(), "ingest")
    request = IngestRequest(files, summary.load_id, table, vintage, sorted(states or settings.states))
    with exclusive(settings, summary):
        try:
            summary.tables += ingest_files(settings, request, keep_going)
        except BatchRefusedError as exc:
            summary.tables += exc.outcomes
            record(settings.paths, summary)
            raise
        loaded = sum(t.outcome is not Outcome.FAILED for t in summary.tables)
        get_run_logger().info("ingested %d of %d file(s)", loaded, len(files))
        return finish(settings, summary)

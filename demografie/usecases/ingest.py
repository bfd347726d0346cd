"""Loading files a person downloaded by hand, without Prefect: each file is recognised, parsed,
normalised and checked into a staged lake file; only when the whole batch is read is each one
landed byte-exact in raw/ and committed. The flow (flows/ingest.py) holds the data home around
this and builds the warehouse after it.

The vintage of a file is the one given (`--vintage`); else the Stand it prints (table CSVs); else
the moment GENESIS wrote it, from the stamp in its name; else its modification time, which for a
fresh download is when it was saved (normalise.VintageBasis says the order once).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from demografie import archive, catalog, progress
from demografie.catalog import Dataset
from demografie.errors import DemografieError, FlowError
from demografie.laender import DEFAULT_STATES
from demografie.redact import redact
from demografie.settings import Paths, Settings
from demografie.sources.landing import land
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import Format
from demografie.transforms.normalise import Provenance, VintageBasis
from demografie.transforms.recognise import HEAD_BYTES, Recognised, recognise
from demografie.usecases.load import Outcome, TableOutcome
from demografie.warehouse.deliveries import Delivery, stage_parts
from demografie.warehouse.lake import StagedDelivery

# What a bad file raises: our refusals, what the parsing libraries raise on bytes they cannot read
# (pyarrow's ArrowInvalid and UnicodeDecodeError are ValueErrors), and an unreadable file. Anything
# else is a bug and propagates.
REFUSALS = (DemografieError, ValueError, OSError)
SUFFIXES = {Format.HSL_WORKBOOK: ".xlsx"}  # what a file is landed as: else .zip when zipped, else .csv


class IngestError(FlowError, ValueError):
    pass


class BatchRefusedError(IngestError):
    """A file of the batch was refused, so nothing was loaded; `outcomes` says what became of each."""

    def __init__(self, message: str, outcomes: list[TableOutcome]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


@dataclass(frozen=True)
class ManualFile:
    """A file recognised as one catalog table, not yet read past its first bytes."""

    path: Path
    table: str
    recognised: Recognised

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    @property
    def suffix(self) -> str:
        return SUFFIXES.get(self.recognised.format, ".zip" if self.recognised.zipped else ".csv")


def identify(path: Path, table: str | None, known: catalog.Catalog = catalog.SHIPPED) -> ManualFile:
    """Read the start of a downloaded file and decide which catalog table it is: `--table`, else
    the code the file itself names (table CSVs and HSL publications do), else the code in the
    file name."""
    if path.is_dir():
        raise IngestError(f"{path}: a directory; give the files in it (e.g. {path}/*.csv)")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        recognised = recognise(_head(path), path.name, table)
    except ParseError as exc:
        raise IngestError(str(exc)) from None
    named = recognised.named
    if table and named and named != table:
        raise IngestError(
            f"{path.name}: --table {table}, but the file names itself table {named}; "
            "pass the table the file is, or leave --table out"
        )
    code = table or recognised.table
    if code is None:
        raise IngestError(
            f"{path.name}: cannot tell the table from the file name; pass --table, e.g. --table 12411-01-01-4"
        )
    known.find(code)  # raises with the list of known tables
    return ManualFile(path, code, recognised)


def _head(path: Path) -> bytes:
    """The first bytes of a text file (a flat file of gigabytes is streamed from its path, never
    held); a zip whole (it names its members at its end)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        if archive.is_zip(head):
            head += handle.read()
    return head


@dataclass(frozen=True)
class IngestRequest:
    """Which files, read as what, for which run."""

    files: Sequence[str]
    load_id: str
    table: str | None = None  # --table: every file is this table
    vintage: datetime | None = None  # --vintage: the publisher's Stand of every file
    states: Sequence[str] = DEFAULT_STATES


@dataclass(frozen=True)
class StagedFile:
    """A file read, checked and staged in the lake, waiting for the rest of the batch."""

    manual: ManualFile
    dataset: Dataset
    vintage: datetime | None  # as given (--vintage); the sidecar's source_vintage
    retrieved_at: datetime
    modified: datetime
    delivery: StagedDelivery


@dataclass
class Batch:
    """The files of one ingest, read: those staged and the outcomes of those refused."""

    staged: list[StagedFile]
    refused: list[TableOutcome]

    def refusal(self) -> str:
        """Why nothing of the batch was loaded, naming every refused file."""
        if len(self.refused) == 1 and not self.staged:
            return self.refused[0].message
        listed = "\n".join(f"- {failure.failure()}" for failure in self.refused)
        files = len(self.staged) + len(self.refused)
        return (
            f"{len(self.refused)} of {files} file(s) refused; nothing was loaded, the lake and warehouse are "
            f"unchanged (--keep-going loads the others):\n{listed}"
        )

    def commit(self, paths: Paths) -> list[TableOutcome]:
        """Land and commit every staged file."""
        return [commit(paths, one) for one in self.staged]


@contextmanager
def staged_batch(settings: Settings, request: IngestRequest) -> Iterator[Batch]:
    """Every file of the request read and staged; what is not committed in the block is discarded."""
    batch = Batch([], [])
    try:
        for name in request.files:
            read = stage(settings, Path(name), request)
            if isinstance(read, StagedFile):
                batch.staged.append(read)
            else:
                batch.refused.append(read)
        yield batch
    finally:
        for one in batch.staged:
            one.delivery.discard()


def ingest_files(settings: Settings, request: IngestRequest, keep_going: bool = False) -> list[TableOutcome]:
    """Stage the batch and commit it: the good files only with `keep_going`, else nothing when any
    file is refused (BatchRefusedError). The warehouse is not built: the caller holds the home and
    builds."""
    with staged_batch(settings, request) as batch:
        if batch.refused and not keep_going:
            raise BatchRefusedError(batch.refusal(), batch.refused)
        return batch.refused + batch.commit(settings.paths)


def stage(settings: Settings, path: Path, request: IngestRequest) -> StagedFile | TableOutcome:
    """Recognise, parse, normalise and check one file into a staged lake file; a refusal is an
    outcome that names the file."""
    try:
        known = catalog.of(settings)  # with the user catalog of this home
        manual = identify(path, request.table, known)
        dataset = known.find(manual.table)
        progress.report("read", f"{path.name} as {dataset.table}")
        modified = modified_at(path)
        retrieved_at = datetime.now(UTC).replace(tzinfo=None)
        provenance = _provenance(manual, dataset, request, retrieved_at, modified)
        opener = archive.unpacking(dataset.table, manual.open, settings.max_unpacked_bytes)
        delivery = stage_parts(
            settings.paths.lake,
            Delivery(dataset, [opener], provenance, request.states, manual.recognised.decimal),
        )
        progress.report("checked", f"{path.name}: {delivery.rows} observations")
    except REFUSALS as exc:
        message = redact(str(exc) if path.name in str(exc) else f"{path.name}: {exc}")
        progress.report("refused", path.name)  # the closing message says why
        return TableOutcome("", path.name, Outcome.FAILED, message=message)
    return StagedFile(manual, dataset, request.vintage, retrieved_at, modified, delivery)


def _provenance(
    manual: ManualFile, dataset: Dataset, request: IngestRequest, retrieved_at: datetime, modified: datetime
) -> Provenance:
    vintage, basis = _vintage(manual, request.vintage, modified)
    return Provenance.of(dataset, vintage, retrieved_at, request.load_id, basis=basis)


def _vintage(manual: ManualFile, given: datetime | None, modified: datetime) -> tuple[datetime, VintageBasis]:
    """The vintage known before the file is parsed, and how it is known (a printed Stand, found
    while parsing, replaces the weaker ones)."""
    if given is not None:
        return given, VintageBasis.GIVEN
    if manual.recognised.stamp is not None:
        return manual.recognised.stamp, VintageBasis.NAME_STAMP
    return modified, VintageBasis.MODIFIED


def modified_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def commit(paths: Paths, staged: StagedFile) -> TableOutcome:
    """Land the file byte-exact in raw/, then commit its staged delivery to the lake."""
    manual, dataset = staged.manual, staged.dataset
    if modified_at(manual.path) != staged.modified:
        # it is read twice, parsed as a stream and then copied: both must be the same bytes
        raise IngestError(
            f"{manual.path.name} changed while it was loaded (modified at {modified_at(manual.path):%H:%M:%S}); "
            "it was not committed: load it again once it is complete"
        )
    landed = land(
        paths.raw,
        publisher=dataset.source,
        table=dataset.table,
        content=manual.path,
        retrieved_at=staged.retrieved_at,
        vintage=staged.vintage,
        origin={"ingested_from": manual.path.name, "file_modified_at": staged.modified.isoformat()},
        suffix=manual.suffix,
    )
    written = staged.delivery.commit(raw_file=f"raw/{landed.key}", on_purpose=True)  # a person chose it
    entry = written.entry
    outcome = Outcome.LOADED if written.written else Outcome.UNCHANGED
    progress.report(outcome, f"{manual.path.name}: {dataset.table}, {entry.rows} observations")
    return TableOutcome(
        dataset.name, dataset.table, outcome, entry.rows, entry.first_ref_date, entry.last_ref_date, entry.vintage
    )

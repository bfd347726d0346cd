"""Load flat files a person downloaded by hand through the same normalise -> lake -> build path."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from prefect import flow, get_run_logger

from demografie import catalog
from demografie.catalog import Dataset
from demografie.errors import DemografieError, FlowError
from demografie.flows import progress
from demografie.flows.runs import RunSummary, current_load_id, exclusive, finish, record
from demografie.redact import redact
from demografie.settings import Paths, Settings
from demografie.sources import archive
from demografie.sources.landing import land
from demografie.transforms import hsl
from demografie.transforms.boundaries import LAYER_FILE
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import sniff, table_code_in
from demografie.transforms.normalise import Provenance
from demografie.usecases.load import Outcome, TableOutcome
from demografie.warehouse.deliveries import Delivery, stage_parts
from demografie.warehouse.lake import StagedDelivery

TABLE_IN_NAME = re.compile(f"({catalog.TABLE_CODE_PATTERN})")


HEAD_BYTES = 1 << 16  # enough to tell a format


class IngestError(FlowError, ValueError):
    pass


@dataclass(frozen=True)
class ManualFile:
    path: Path
    table: str
    # The first bytes of a text file (a flat file of gigabytes is streamed from its path, never
    # held); a zip whole (a workbook is parsed whole, a zip names its members at its end).
    head: bytes

    @property
    def is_zip(self) -> bool:
        return archive.is_zip(self.head)

    def open(self) -> BinaryIO:
        return self.path.open("rb")


def identify(path: Path, table: str | None, known: catalog.Catalog = catalog.SHIPPED) -> ManualFile:
    """Read the start of a downloaded file and decide which catalog table it is: `--table`, else
    the code the file itself names (table CSVs and HSL publications do), else the code in the
    file name."""
    if path.is_dir():
        raise IngestError(f"{path}: a directory; give the files in it (e.g. {path}/*.csv)")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        if archive.is_zip(head):
            head += handle.read()
    _recognise(head, path.name, table)
    named = table_code_in(head)
    if table and named and named != table:
        raise IngestError(
            f"{path.name}: --table {table}, but the file names itself table {named}; "
            "pass the table the file is, or leave --table out"
        )
    code = table or named or _table_from_name(path)
    known.find(code)  # raises with the list of known tables
    return ManualFile(path, code, head)


def _recognise(content: bytes, name: str, table: str | None) -> None:
    """Refuse a file of no layout we read before anything is landed (a GENESIS zip by its member)."""
    head = content
    if archive.is_zip(content) and not hsl.is_xlsx(content):
        if any(LAYER_FILE.match(member) for member in archive.member_names(content)):
            raise IngestError(f"{name}: a BKG boundary package, not a table; load it with `demografie geodata --file`")
        try:
            with archive.opened_single(io.BytesIO(content)) as member:
                head = member.read(HEAD_BYTES)
        except archive.ArchiveError as exc:
            raise IngestError(f"{name}: {exc}") from None
    try:
        sniff(head, name, table)
    except ParseError as exc:
        raise IngestError(str(exc)) from None


def _table_from_name(path: Path) -> str:
    match = TABLE_IN_NAME.search(path.name)
    if match is None:
        raise IngestError(
            f"{path.name}: cannot tell the table from the file name; pass --table, e.g. --table 12411-01-01-4"
        )
    return match.group(1)


# GENESIS names its answers <table>_<epoch ms>_<lang>_flat.csv (and the zip likewise)
GENESIS_NAME = re.compile(r"_([0-9]{13})_(de|en)_flat\.(?:csv|zip)$")
DECIMAL_MARKS = {"de": ",", "en": "."}


def retrieval_stamp(manual: ManualFile) -> datetime | None:
    """When GENESIS wrote the answer, from the epoch milliseconds in its name (the zip's or the
    member's): an upper bound of the table's Stand, closer to it than the file's modification time."""
    names = [manual.path.name, *(archive.member_names(manual.head) if manual.is_zip else [])]
    for name in names:
        if match := GENESIS_NAME.search(name):
            return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).replace(tzinfo=None)
    return None


def decimal_of(name: str) -> str | None:
    """The decimal mark of a GENESIS answer, from the language in its name; None: read from the values."""
    match = GENESIS_NAME.search(name)
    return DECIMAL_MARKS[match.group(2)] if match else None


@dataclass(frozen=True)
class StagedFile:
    """A file read, checked and staged in the lake, waiting for the rest of the batch."""

    manual: ManualFile
    dataset: Dataset
    vintage: datetime | None  # as given (--vintage); the sidecar's source_vintage
    retrieved_at: datetime
    modified: datetime
    delivery: StagedDelivery


# What a bad file raises: our refusals, what the parsing libraries raise on bytes they cannot read
# (pyarrow's ArrowInvalid and UnicodeDecodeError are ValueErrors), and an unreadable file. Anything
# else is a bug and propagates.
REFUSALS = (DemografieError, ValueError, OSError)


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
    paths = settings.paths
    paths.ensure()
    wanted = sorted(states or catalog.STATES)
    summary = RunSummary(current_load_id(), "ingest")
    with exclusive(settings, summary):
        staged: list[StagedFile] = []
        try:
            for name in files:
                read = _stage(settings, Path(name), table, vintage, wanted, summary.load_id)
                if isinstance(read, StagedFile):
                    staged.append(read)
                else:
                    summary.tables.append(read)
            if summary.failures and not keep_going:
                record(paths, summary)
                raise IngestError(_nothing_loaded(summary.failures, len(files)))
            summary.tables += [_commit(paths, one) for one in staged]
        finally:
            for one in staged:
                one.delivery.discard()
        get_run_logger().info("ingested %d of %d file(s)", len(staged), len(files))
        return finish(settings, summary)


def _stage(
    settings: Settings, path: Path, table: str | None, vintage: datetime | None, states: list[str], load_id: str
) -> StagedFile | TableOutcome:
    """Recognise, parse, normalise and check one file into a staged lake file; a refusal is an
    outcome that names the file."""
    try:
        known = catalog.of(settings)  # with the user catalog of this home
        manual = identify(path, table, known)
        dataset = known.find(manual.table)
        progress.report("read", f"{path.name} as {dataset.table}")
        modified = _modified(path)
        retrieved_at = datetime.now(UTC).replace(tzinfo=None)
        provenance = Provenance(
            dataset=dataset.name,
            source=dataset.source,
            source_table=dataset.table,
            vintage=vintage or retrieval_stamp(manual) or modified,
            retrieved_at=retrieved_at,
            load_id=load_id,
        )
        opener = archive.unpacking(dataset.table, manual.open, settings.max_unpacked_bytes)
        delivery = stage_parts(
            settings.paths.lake,
            Delivery(dataset, [opener], provenance, states, decimal_of(path.name), prefer_published=vintage is None),
        )
        progress.report("checked", f"{path.name}: {delivery.rows} observations")
    except REFUSALS as exc:
        message = redact(str(exc) if path.name in str(exc) else f"{path.name}: {exc}")
        progress.report("refused", path.name)  # the closing message says why
        return TableOutcome("", path.name, Outcome.FAILED, message=message)
    return StagedFile(manual, dataset, vintage, retrieved_at, modified, delivery)


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def _nothing_loaded(failures: list[TableOutcome], files: int) -> str:
    if files == 1:
        return failures[0].message
    refused = "\n".join(f"- {failure.failure()}" for failure in failures)
    return (
        f"{len(failures)} of {files} file(s) refused; nothing was loaded, the lake and warehouse are unchanged "
        f"(--keep-going loads the others):\n{refused}"
    )


def _commit(paths: Paths, staged: StagedFile) -> TableOutcome:
    """Land the file byte-exact in raw/, then commit its staged delivery to the lake."""
    manual, dataset = staged.manual, staged.dataset
    if _modified(manual.path) != staged.modified:
        # it is read twice, parsed as a stream and then copied: both must be the same bytes
        raise IngestError(
            f"{manual.path.name} changed while it was loaded (modified at {_modified(manual.path):%H:%M:%S}); "
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
        suffix=".zip" if manual.is_zip else ".csv",
    )
    written = staged.delivery.commit(raw_file=f"raw/{landed.key}", on_purpose=True)  # a person chose it
    entry = written.entry
    outcome = Outcome.LOADED if written.written else Outcome.UNCHANGED
    progress.report(outcome, f"{manual.path.name}: {dataset.table}, {entry.rows} observations")
    return TableOutcome(
        dataset.name, dataset.table, outcome, entry.rows, entry.first_ref_date, entry.last_ref_date, entry.vintage
    )

"""Load flat files a person downloaded by hand through the same normalise -> lake -> build path."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger

from demografie import catalog
from demografie.flows import progress
from demografie.flows.runs import RunSummary, current_load_id, exclusive, finish
from demografie.flows.tasks import Extracted, load
from demografie.settings import Paths
from demografie.sources import archive
from demografie.sources.landing import land
from demografie.transforms import hsl
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import sniff, table_code_in

TABLE_IN_NAME = re.compile(f"({catalog.TABLE_CODE_PATTERN})")


HEAD_BYTES = 1 << 16  # enough to tell a format


class IngestError(ValueError):
    pass


@dataclass(frozen=True)
class ManualFile:
    path: Path
    table: str
    content: bytes


def identify(path: Path, table: str | None) -> ManualFile:
    """Read a downloaded file and decide which catalog table it is: `--table`, else the code the
    file itself names (table CSVs and HSL publications do), else the code in the file name."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    content = path.read_bytes()
    _recognise(content, path.name)
    named = table_code_in(content)
    if table and named and named != table:
        raise IngestError(
            f"{path.name}: --table {table}, but the file names itself table {named}; "
            "pass the table the file is, or leave --table out"
        )
    code = table or named or _table_from_name(path)
    catalog.find(code)  # raises with the list of known tables
    return ManualFile(path, code, content)


def _recognise(content: bytes, name: str) -> None:
    """Refuse a file of no layout we read before anything is landed (a GENESIS zip by its member)."""
    head = content if hsl.is_xlsx(content) else content[:HEAD_BYTES]
    if archive.is_zip(content) and not hsl.is_xlsx(content):
        try:
            with archive.opened_single(io.BytesIO(content)) as member:
                head = member.read(HEAD_BYTES)
        except archive.ArchiveError as exc:
            raise IngestError(f"{name}: {exc}") from None
    try:
        sniff(head, name)
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
    names = [manual.path.name, *(archive.member_names(manual.content) if archive.is_zip(manual.content) else [])]
    for name in names:
        if match := GENESIS_NAME.search(name):
            return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).replace(tzinfo=None)
    return None


def decimal_of(name: str) -> str | None:
    """The decimal mark of a GENESIS answer, from the language in its name; None: read from the values."""
    match = GENESIS_NAME.search(name)
    return DECIMAL_MARKS[match.group(2)] if match else None


@flow(name="ingest")
def ingest(
    files: list[str],
    table: str | None = None,
    vintage: datetime | None = None,
    states: list[str] | None = None,
    home: str | None = None,
) -> RunSummary:
    """Land each file in raw/ (as it is), load it into the lake and rebuild the warehouse.

    The vintage is `vintage` when given; otherwise the Stand printed in the file (table CSVs have
    one); otherwise the file's modification time, which for a fresh download is when it was
    retrieved.
    """
    paths = Paths.from_env(home)
    paths.ensure()
    manual = [identify(Path(name), table) for name in files]  # every file understood before any is landed
    summary = RunSummary(current_load_id(), "ingest")
    with exclusive(paths, summary):
        for one in manual:
            extracted = _land(paths, one, vintage)
            summary.tables.append(
                load(extracted, str(paths.home), sorted(states or catalog.STATES), summary.load_id, False)
            )
        get_run_logger().info("ingested %d file(s)", len(files))
        return finish(paths, summary)


def _land(paths: Paths, manual: ManualFile, vintage: datetime | None) -> Extracted:
    dataset = catalog.find(manual.table)
    modified = datetime.fromtimestamp(manual.path.stat().st_mtime, UTC).replace(tzinfo=None)
    fallback = retrieval_stamp(manual) or modified
    retrieved_at = datetime.now(UTC).replace(tzinfo=None)
    progress.report("ingest", f"{manual.path.name} as {dataset.table}")
    landed = land(
        paths.raw,
        publisher=dataset.source,
        table=dataset.table,
        content=manual.content,
        retrieved_at=retrieved_at,
        vintage=vintage,
        origin={"ingested_from": manual.path.name, "file_modified_at": modified.isoformat()},
        suffix=".zip" if archive.is_zip(manual.content) else ".csv",
    )
    return Extracted(
        dataset.name,
        dataset.table,
        [landed.key],
        vintage or fallback,
        retrieved_at,
        decimal_of(manual.path.name),
        route="file",
        vintage_is_fallback=vintage is None,
    )

"""Load flat files a person downloaded by hand through the same normalise -> lake -> build path."""

from __future__ import annotations

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
from demografie.transforms.formats import table_code_in

TABLE_IN_NAME = re.compile(f"({catalog.TABLE_CODE_PATTERN})")


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
    code = table or table_code_in(content) or _table_from_name(path)
    catalog.find(code)  # raises with the list of known tables
    return ManualFile(path, code, content)


def _table_from_name(path: Path) -> str:
    match = TABLE_IN_NAME.search(path.name)
    if match is None:
        raise IngestError(
            f"{path.name}: cannot tell the table from the file name; pass --table, e.g. --table 12411-01-01-4"
        )
    return match.group(1)


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
        vintage or modified,
        retrieved_at,
        None,
        route="file",
        vintage_is_fallback=vintage is None,
    )

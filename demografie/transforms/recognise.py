"""What a file a person saved is, decided once from its first bytes and its name: its format,
whether it came zipped, the table it is, its decimal mark and the moment GENESIS wrote it.

Ingest asks this before anything is landed. The Stand a table CSV prints is not decided here: it
stands in the footer, which the first bytes of a long table do not reach; parsing the whole file
reads it, and the vintage rule (normalise.VintageBasis) decides whether it wins.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from demografie import archive
from demografie.catalog import TABLE_CODE_PATTERN
from demografie.transforms import hsl
from demografie.transforms.boundaries import LAYER_FILE
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import Format, sniff
from demografie.transforms.tablecsv import table_code

HEAD_BYTES = 1 << 16  # enough to tell a format; a zip is read whole (it names its members at its end)

# GENESIS names its answers <table>_<epoch ms>_<lang>_flat.csv (and the zip likewise)
GENESIS_NAME = re.compile(r"_([0-9]{13})_(de|en)_flat\.(?:csv|zip)$")
DECIMAL_MARKS = {"de": ",", "en": "."}
TABLE_IN_NAME = re.compile(f"({TABLE_CODE_PATTERN})")
# the publications that name no table code: the catalog's names for them
NAMED_BY_FORMAT = {Format.HSL_WORKBOOK: "HSL-GEMEINDESTATISTIK", Format.HSL_AGE_EXPORT: "HSL-ALTER-KREISE"}


@dataclass(frozen=True)
class Recognised:
    format: Format
    zipped: bool  # a GENESIS zip around the file (a workbook is a zip too, and is not this)
    named: str | None  # the table the file names itself (table CSVs, HSL publications)
    in_name: str | None  # a table code in the file name
    decimal: str | None  # from the language of a GENESIS name; None: read from the values
    stamp: datetime | None  # when GENESIS wrote the answer (its name's epoch ms), naive UTC

    @property
    def table(self) -> str | None:
        """The table the file is: the one it names itself, else the code in its name."""
        return self.named or self.in_name


def recognise(head: bytes, name: str, table: str | None = None) -> Recognised:
    """`head`: the first HEAD_BYTES of the file, or the whole of a zip; `table`: the one a person
    named for it (it lets a table CSV cut by hand be read). ParseError (naming `name`) for a file
    of no layout we read."""
    zipped = archive.is_zip(head) and not hsl.is_xlsx(head)
    members = archive.member_names(head) if zipped else []
    content = _member_head(head, name, members) if zipped else head
    kind = sniff(content, name, table)
    names = [name, *members]
    stamp = next((match for match in map(GENESIS_NAME.search, names) if match), None)
    return Recognised(
        format=kind,
        zipped=zipped,
        named=table_code(content) if kind is Format.TABLE_CSV else NAMED_BY_FORMAT.get(kind),
        in_name=match.group(1) if (match := TABLE_IN_NAME.search(name)) else None,
        decimal=DECIMAL_MARKS[stamp.group(2)] if stamp else None,
        stamp=datetime.fromtimestamp(int(stamp.group(1)) / 1000, UTC).replace(tzinfo=None) if stamp else None,
    )


def _member_head(content: bytes, name: str, members: list[str]) -> bytes:
    if any(LAYER_FILE.match(member) for member in members):
        raise ParseError(name, "a BKG boundary package, not a table; load it with `demografie geodata --file`")
    try:
        with archive.opened_single(io.BytesIO(content)) as member:
            return member.read(HEAD_BYTES)
    except archive.ArchiveError as exc:
        raise ParseError(name, str(exc)) from None

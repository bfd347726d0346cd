"""Which format a file is in, decided from its bytes (never its name), and the parser for it."""

from __future__ import annotations

import json
from enum import StrEnum

from demografie.fileio import ZIP_MAGIC
from demografie.transforms import hsl
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import BOM, FlatFile, parse_ffcsv
from demografie.transforms.ffcsv_v4 import is_v4, parse_ffcsv_v4
from demografie.transforms.tablecsv import is_table_csv, parse_table_csv

V5_MARKERS = ("statistics_code;", "value_variable_code")
# Office encrypts a workbook with a password into an OLE2 compound file, the container of old .xls too
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Format(StrEnum):
    FFCSV_V5 = "ffcsv-v5"
    FFCSV_V4 = "ffcsv-v4"
    TABLE_CSV = "table-csv"
    HSL_WORKBOOK = "hsl-xlsx"
    HSL_AGE_EXPORT = "hsl-csv-export"


def sniff(data: bytes, where: str, table: str | None = None) -> Format:
    """`table`: the table a person named for the file (`--table`); with it, a table CSV cut by hand
    (its first line `GENESIS-Tabelle: <code>` removed) is read as that table."""
    if hsl.is_xlsx(data):
        return _workbook(data, where)
    _refuse_containers(data, where)
    head = data[len(BOM) :] if data.startswith(BOM) else data
    first = head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace")
    if is_v4(first):
        return Format.FFCSV_V4
    if first.startswith(V5_MARKERS[0]) and V5_MARKERS[1] in first:
        return Format.FFCSV_V5
    if is_table_csv(first):
        return Format.TABLE_CSV
    if hsl.is_age_export(head[:4096].decode("utf-8", errors="replace")):
        return Format.HSL_AGE_EXPORT
    if table is not None and _headless_table_csv(head):
        return Format.TABLE_CSV
    raise ParseError(where, _not_a_table(head, first))


def _workbook(data: bytes, where: str) -> Format:
    if hsl.is_gemeindestatistik(data):
        return Format.HSL_WORKBOOK
    sheets = ", ".join(hsl.sheet_names(data)[:8]) or "none readable"
    raise ParseError(
        where,
        f"an Excel workbook that is not the Hessische Gemeindestatistik (sheets: {sheets}); for a "
        "GENESIS table, download it as flat file (ffcsv) or table CSV instead",
    )


def _not_a_table(head: bytes, first: str) -> str:
    """What a file we do not read is, as far as its first bytes tell."""
    if head.lstrip().startswith(b"{"):
        return _json_answer(head)
    if first.startswith("K;") or first.startswith("*"):
        return "a GENESIS cube file (datencsv); ask for format=ffcsv instead"
    if _headless_table_csv(head):
        return (
            "a table CSV without its first line 'GENESIS-Tabelle: <code>' (cut or re-saved by hand), so its "
            f"table is unknown: name it with --table (and its Stand with --vintage), or download the table "
            f"again. The first line is {first[:80]!r}"
        )
    return f"unknown file layout; the first line is {first[:80]!r}"


def _headless_table_csv(head: bytes) -> bool:
    """Title lines padded with ';' and then column headers over empty stub cells (';;...')."""
    lines = head[:4096].decode("utf-8", errors="replace").splitlines()[:12]
    return bool(lines) and lines[0].rstrip().endswith(";;") and any(line.startswith(";;") for line in lines[1:])


def _refuse_containers(data: bytes, where: str) -> None:
    if data.startswith(OLE2_MAGIC):
        raise ParseError(
            where,
            "an encrypted (password-protected) workbook or an old .xls file (OLE2), which cannot be read: "
            "open it in a spreadsheet program, remove the password and save it as .xlsx, or download the table again",
        )
    if data.startswith(ZIP_MAGIC):
        raise ParseError(where, "a zip archive that is not a workbook; unpack it first")


def _json_answer(head: bytes) -> str:
    """What a saved JSON file says: a GENESIS error answer names its status; anything else is no table."""
    try:
        status = json.loads(head.decode("utf-8")).get("Status", {})
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return "a JSON file, not a table"
    if isinstance(status, dict) and "Code" in status:
        return (
            f"a saved GENESIS error answer, not a table: status {status.get('Code')}: "
            f"{' '.join(str(status.get('Content', '')).split())[:300]}"
        )
    return "a JSON file, not a table"


def parse(
    data: bytes, where: str, decimal: str | None = None, row_variable: str | None = None, table: str | None = None
) -> FlatFile:
    """Parse any supported format into the flat-file layout (`row_variable`, `table`: see
    parse_table_csv; `table` is checked against the code a table CSV names)."""
    kind = sniff(data, where, table)
    if kind is Format.FFCSV_V5:
        return parse_ffcsv(data, where, decimal)
    if kind is Format.FFCSV_V4:
        return parse_ffcsv_v4(data, where)
    if kind is Format.TABLE_CSV:
        return parse_table_csv(data, where, row_variable, table)
    if kind is Format.HSL_WORKBOOK:
        return hsl.parse_hsl_workbook(data, where)
    return hsl.parse_hsl_age_export(data, where)

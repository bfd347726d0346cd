"""The old Regionaldatenbank flat file, v4 (until about April 2025).

Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;
{i}_Merkmal_Code;{i}_Merkmal_Label;{i}_Auspraegung_Code;{i}_Auspraegung_Label (i = 1..k);
<CODE>__<Label_ASCII>__<Unit> (one wide column per value variable)

The English export repeats `1_variable_code` in place of the attribute columns, so the variable
columns are read by position (four per variable), never by name. German dates are `31.12.2023`,
English ones `2023-12-31`. The result is the v5 layout, long, one row per value variable.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import BOM, LEADING_COLUMNS, VARIABLE_FIELDS, FlatFile, finish, read_string_table

FIXED = LEADING_COLUMNS
VALUE_COLUMN = re.compile(r"^([0-9A-Z]+)__(.+)__(.+)$")
V4_FIRST = ("Statistik_Code", "statistics_code")


def is_v4(first_line: str) -> bool:
    names = first_line.split(";")
    return names[0] in V4_FIRST and any(VALUE_COLUMN.match(name) for name in names)


def parse_ffcsv_v4(data: bytes, where: str) -> FlatFile:
    body = data[len(BOM) :] if data.startswith(BOM) else data
    try:
        header = body.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8").split(";")
    except UnicodeDecodeError:
        raise ParseError(where, "the v4 header is not UTF-8") from None
    values = [i for i, name in enumerate(header) if VALUE_COLUMN.match(name)]
    if not values or values != list(range(values[0], len(header))):
        raise ParseError(where, "v4 flat file: the value columns must come last")
    width = values[0] - len(FIXED)
    if width <= 0 or width % 4:
        raise ParseError(where, f"v4 flat file: {width} variable columns is not four per variable")
    names = [*FIXED, *_variable_columns(width // 4), *(f"value_{i}" for i in range(len(values)))]
    table = read_string_table(body, names, where)
    if table.num_rows == 0:
        raise ParseError(where, "the flat file has a header but no data rows")
    table = table.append_column("line", pa.array(range(2, table.num_rows + 2), pa.int64()))
    table = table.set_column(table.schema.get_field_index("time"), "time", _iso_dates(table.column("time")))
    return finish(_long(table, [header[i] for i in values]), None, where)


def _variable_columns(count: int) -> list[str]:
    return [f"{i}_{field}" for i in range(1, count + 1) for field in VARIABLE_FIELDS]


def _iso_dates(time: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.replace_substring_regex(time, r"^(\d{2})\.(\d{2})\.(\d{4})$", r"\3-\2-\1")


def _long(table: pa.Table, value_headers: list[str]) -> pa.Table:
    """One block of rows per wide value column, stacked."""
    keep = [name for name in table.column_names if not name.startswith("value_")]
    blocks = []
    for i, name in enumerate(value_headers):
        match = VALUE_COLUMN.match(name)
        assert match is not None
        code, label, unit = match.groups()
        n = table.num_rows
        block = table.select(keep).append_column("value", table.column(f"value_{i}"))
        block = block.append_column("value_unit", pa.array([unit] * n, pa.string()))
        block = block.append_column("value_variable_code", pa.array([code] * n, pa.string()))
        blocks.append(block.append_column("value_variable_label", pa.array([label.replace("_", " ")] * n)))
    return pa.concat_tables(blocks)

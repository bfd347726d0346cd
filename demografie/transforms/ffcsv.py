"""The GENESIS flat file, v5 (`format=ffcsv` since 2025): parsing by header names.

Header: statistics_code;statistics_label;time_code;time_label;time;
        {i}_variable_code;{i}_variable_label;{i}_variable_attribute_code;{i}_variable_attribute_label
        (for i = 1..k);value;value_unit;value_variable_code;value_variable_label[;value_q]

UTF-8 with or without BOM, `;`, decimal comma (German) or point (English). Every column stays a
string, codes keep their leading zeros; `value` becomes a float64 with NULL wherever the publisher
printed a symbol, and the symbol goes to `status`. DuckDB's CSV reader reads the rows: it splits a
file among all cores and was three times as fast as pyarrow's on this layout (bench/RESULTS.md).
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from demografie.sqltext import read_sql
from demografie.transforms.arrays import arange
from demografie.transforms.errors import ParseError
from demografie.transforms.harmonise import COUNT_UNITS

BOM = b"\xef\xbb\xbf"
# GENESIS "Zeichenerklärung": nothing/zero, secret/unknown, not yet available, not reliable
# enough, locked, limited informative value.
SYMBOLS = ("-", ".", "...", "/", "x", "()")
NUMBER_PATTERN = r"^-?[0-9]+([.,][0-9]+)?$"
# A count (harmonise.COUNT_UNITS) is a whole number: one with exactly three decimals is a count with
# a thousands separator (48.384 as a spreadsheet re-save writes it), which read as a decimal mark
# would be 1000 times too small. GENESIS never writes one.
SEPARATED_THOUSANDS = r"^-?[0-9]{1,3}([.,][0-9]{3})+$"
THOUSANDS_PROBLEM = (
    "is a count with exactly three decimals: a thousands separator (a spreadsheet re-save?); "
    "load the file as the publisher delivered it"
)
FIXED_COLUMNS = ("statistics_code", "time_code", "time", "value", "value_unit", "value_variable_code")
VARIABLE_FIELDS = ("variable_code", "variable_label", "variable_attribute_code", "variable_attribute_label")
LEADING_COLUMNS = ("statistics_code", "statistics_label", "time_code", "time_label", "time")
TRAILING_COLUMNS = ("value", "value_unit", "value_variable_code", "value_variable_label")


def header_columns(variables: int) -> list[str]:
    """The columns of a v5 flat file with `variables` classifying variables (the regional one first)."""
    groups = [f"{i}_{field}" for i in range(1, variables + 1) for field in VARIABLE_FIELDS]
    return [*LEADING_COLUMNS, *groups, *TRAILING_COLUMNS]


VARIABLE_COLUMN = re.compile(r"^(\d+)_variable_code$")
V4_MARKERS = ("Statistik_Code", "Zeit_Code")


@dataclass(frozen=True)
class FlatFile:
    """A parsed flat file: the file's columns (strings), `value` as float64, plus `status`,
    `quality` (from `value_q`, NULL when absent) and `line` (1-based line in the file)."""

    table: pa.Table
    variables: int
    decimal: str | None
    # The publisher's Stand printed in the file (table CSVs have one; flat files do not).
    published: datetime | None = None


# rows handed to the normaliser at a time (about 40 MB of a flat file): memory stays bounded
BATCH_ROWS = 1 << 17
MAX_LINE_BYTES = 1 << 20  # a flat-file line is a few hundred bytes
# the reader's own buffers; it streams, so a file of any size needs no more
READER_MEMORY = "512MB"
SPOOL_CHUNK_BYTES = 1 << 20
UNREAD_COLUMNS = frozenset({"statistics_label", "time_label"})
UNREAD_LABEL = re.compile(r"^\d+_variable_label$")


def parse_ffcsv(data: bytes, where: str, decimal: str | None = None) -> FlatFile:
    """Parse v5 flat-file bytes. `where` names table and source for error messages.

    `decimal` is ',' or '.' when the request language is known; None infers it from the values
    and rejects a file that mixes both.
    """
    blocks = list(iter_ffcsv(io.BytesIO(data), where, decimal))
    return replace(blocks[-1], table=pa.concat_tables([block.table for block in blocks]))


def iter_ffcsv(
    stream: BinaryIO, where: str, decimal: str | None = None, batch_rows: int | None = None
) -> Iterator[FlatFile]:
    """`iter_ffcsv_file` of a stream (a zip member, an answer in memory): it is copied to a
    temporary file first, read through to its end, because DuckDB's reader splits a file it can
    open by name among all cores."""
    with tempfile.TemporaryDirectory(prefix="demografie-flat-") as folder:
        path = Path(folder) / "flat.csv"
        with path.open("wb") as copy:
            shutil.copyfileobj(stream, copy, SPOOL_CHUNK_BYTES)
        yield from iter_ffcsv_file(path, where, decimal, batch_rows)


def iter_ffcsv_file(
    path: Path, where: str, decimal: str | None = None, batch_rows: int | None = None
) -> Iterator[FlatFile]:
    """Parse a v5 flat file one block of rows at a time, so that a file of any size needs the
    memory of one block. The decimal mark found in one block binds the later ones."""
    with path.open("rb") as file:
        first = file.readline(MAX_LINE_BYTES)
    if len(first) == MAX_LINE_BYTES and not first.endswith(b"\n"):
        raise ParseError(where, LINE_TOO_LONG)
    header = _header(first[len(BOM) :] if first.startswith(BOM) else first, where)
    _count_variables(header, where)
    line = 2
    for table in _string_batches(path, header, where, batch_rows or BATCH_ROWS):
        table = table.append_column("line", arange(table.num_rows, start=line))
        line += table.num_rows
        _check_statistics_code(table, where)
        flat = finish(table, decimal, where)
        decimal = decimal or flat.decimal
        yield flat
    if line == 2:
        raise ParseError(where, "the flat file has a header but no data rows")


LINE_TOO_LONG = f"a line longer than {MAX_LINE_BYTES} bytes; not a flat file"


def _string_batches(path: Path, header: list[str], where: str, batch_rows: int) -> Iterator[pa.Table]:
    """Blocks of rows in file order, read by DuckDB on all cores (sql/parse/flat_file.sql). The
    labels the normaliser never reads (statistics, time and variable labels) are not converted.
    DuckDB sees the columns by position only: a header name is the file's text, and DuckDB's names
    are case-insensitive and end at a NUL byte."""
    fields = [i for i, name in enumerate(header) if name not in UNREAD_COLUMNS and not UNREAD_LABEL.match(name)]
    parameters = {
        "path": str(path),
        "columns": {f"c{i}": "VARCHAR" for i in range(len(header))},
        "fields": [f"c{i}" for i in fields],
        "max_line": MAX_LINE_BYTES,
    }
    schema = pa.schema([(header[i], pa.string()) for i in fields])
    with duckdb.connect(config={"memory_limit": READER_MEMORY}) as con:
        con.execute("SET enable_progress_bar = false")  # its bar would draw on the user's terminal
        try:
            reader = con.sql(read_sql("parse/flat_file.sql"), params=parameters).to_arrow_reader(batch_rows)
            # blocks of exactly `batch_rows` rows but the last: the normaliser reuses what depends
            # only on a block's size (DuckDB hands on batches of any size)
            pending = schema.empty_table()
            for batch in reader:
                pending = pa.concat_tables([pending, _strings(batch, schema)])
                while pending.num_rows >= batch_rows:
                    yield pending.slice(0, batch_rows).combine_chunks()
                    pending = pending.slice(batch_rows)
            if pending.num_rows:
                yield pending.combine_chunks()
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            # a later batch's error arrives through Arrow's stream, as an OSError carrying DuckDB's text
            if isinstance(exc, OSError) and not READER_ERROR.match(str(exc)):
                raise
            raise ParseError(where, reader_problem(str(exc))) from None


def _strings(batch: pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    """The batch under the header's names, an empty field '' (DuckDB reads it as NULL): only the
    few columns with empty fields are touched."""
    columns = [column.fill_null("") if column.null_count else column for column in batch.columns]
    return pa.Table.from_arrays(columns, names=schema.names).cast(schema)


READER_ERROR = re.compile(r"^\w+( \w+)* Error: ")  # DuckDB's: "Invalid Input Error: …"
CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def reader_problem(message: str) -> str:
    """What DuckDB's reader found wrong, said without its advice on reader options (which would
    read a broken file as if it were whole) and without the offending line's content."""
    found = CSV_ERROR_LINE.search(message)
    at = f"line {found.group(1)}: " if found else ""
    if "Maximum line size" in message:
        return LINE_TOO_LONG
    if "Invalid unicode" in message:
        return f"malformed flat file: {at}not valid UTF-8 (wrong encoding?)"
    if counts := FIELD_COUNT.search(message):
        return f"malformed flat file: {at}{counts.group(2)} fields where the header has {counts.group(1)}"
    if "unterminated quote" in message:
        return f"malformed flat file: {at}a quoted field is never closed"
    return f"malformed flat file: {at}{_reason(message)}"


def _reason(message: str) -> str:
    """The line of DuckDB's message that says what is wrong: not its heading, not the offending
    line, not its advice."""
    lines = [line.strip() for line in message.splitlines()]
    said = [
        line
        for line in lines[1:]
        if line and not line.startswith(("Original Line", "Possible", "*")) and "=" not in line
    ]
    return said[0] if said else READER_ERROR.sub("", lines[0] if lines else "") or "unreadable"


def finish(table: pa.Table, decimal: str | None, where: str) -> FlatFile:
    """Turn the string `value` column into numbers plus `status` and `quality` columns."""
    header = table.column_names
    variables = len([name for name in header if VARIABLE_COLUMN.match(name)])
    values, status, used = _parse_values(table, decimal, where)
    quality = (
        pc.if_else(pc.equal(table.column("value_q"), ""), None, table.column("value_q"))
        if "value_q" in header
        else pa.nulls(table.num_rows, pa.string())
    )
    table = table.set_column(table.schema.get_field_index("value"), "value", values)
    table = table.append_column("status", status).append_column("quality", quality)
    return FlatFile(table, variables, used)


def with_published(flat: FlatFile, published: datetime | None) -> FlatFile:
    return replace(flat, published=published)


def _header(body: bytes, where: str) -> list[str]:
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        names = first.decode("utf-8").split(";")
    except UnicodeDecodeError:
        raise ParseError(where, "the header is not UTF-8; is this a table CSV (cp1252)?") from None
    if any(marker in names for marker in V4_MARKERS):
        raise ParseError(where, "this is a v4 flat file (German headers); only v5 is supported")
    missing = [name for name in FIXED_COLUMNS if name not in names]
    if missing:
        raise ParseError(where, f"not a GENESIS v5 flat file: header lacks {', '.join(missing)}")
    if len(set(names)) != len(names):
        raise ParseError(where, "the header repeats a column name")
    return names


def _count_variables(header: list[str], where: str) -> int:
    numbers = sorted(int(m.group(1)) for name in header if (m := VARIABLE_COLUMN.match(name)))
    if numbers != list(range(1, len(numbers) + 1)):
        raise ParseError(where, f"classifying variables are not numbered 1..k: {numbers}")
    for i in numbers:
        for field in VARIABLE_FIELDS:
            if f"{i}_{field}" not in header:
                raise ParseError(where, f"header lacks {i}_{field}")
    if not numbers:
        raise ParseError(where, "the flat file has no classifying variable (no region)")
    return len(numbers)


def read_string_table(body: bytes, header: list[str], where: str) -> pa.Table:
    """Every column as a string (codes keep their leading zeros), the first line skipped."""
    try:
        options = pacsv.ReadOptions(column_names=header, skip_rows=1)
        return pacsv.read_csv(io.BytesIO(body), read_options=options, **_csv_options(header))
    except pa.ArrowInvalid as exc:
        raise ParseError(where, f"malformed flat file: {_arrow_message(exc)}") from None


def _csv_options(header: list[str]) -> dict[str, Any]:
    return {
        "parse_options": pacsv.ParseOptions(delimiter=";"),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }


def _arrow_message(exc: Exception) -> str:
    text = str(exc)
    if "invalid UTF8" in text:
        return "not valid UTF-8 (wrong encoding?)"
    return text.split("\n")[0]


def _check_statistics_code(table: pa.Table, where: str) -> None:
    codes = table.column("statistics_code")
    valid = _matching(codes, r"^[0-9A-Z]{5}$")
    if not pc.all(valid).as_py():
        _reject(table, pc.invert(valid), "statistics_code", "is not a statistics code", where)


def _matching(column: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    """`match_substring_regex`, evaluated once per distinct value (a column of a flat file holds
    few distinct values, and a regex costs more than a hash lookup)."""
    distinct = pc.unique(column)
    return pc.is_in(column, value_set=pc.filter(distinct, pc.match_substring_regex(distinct, pattern)))


def _parse_values(
    table: pa.Table, decimal: str | None, where: str
) -> tuple[pa.ChunkedArray, pa.ChunkedArray, str | None]:
    # a flat file repeats its figures and symbols: each distinct text is judged and converted once
    raw = table.column("value")
    distinct = pc.unique(raw)
    position = pc.index_in(raw, value_set=distinct)
    symbol = pc.is_in(distinct, value_set=pa.array(SYMBOLS))
    number = pc.match_substring_regex(distinct, NUMBER_PATTERN)
    separated = pc.match_substring_regex(distinct, SEPARATED_THOUSANDS)
    is_number, is_separated = number.take(position), separated.take(position)
    # a count in thousands groups (1.140.888) is named as what it is before it counts as no number
    is_count = _is_count(table.column("value_unit"))
    _reject(table, pc.and_(is_count, pc.and_(pc.invert(is_number), is_separated)), "value", THOUSANDS_PROBLEM, where)
    known = pc.or_(symbol, number).take(position)
    _reject(table, pc.invert(known), "value", "is neither a number nor a GENESIS symbol", where)
    has_comma = pc.any(pc.match_substring(distinct, ",")).as_py()
    has_point = pc.any(pc.match_substring_regex(distinct, r"^-?[0-9]+\.[0-9]+$")).as_py()
    used = _decimal_mark(decimal, bool(has_comma), bool(has_point), where)
    _reject(table, pc.and_(is_count, is_separated), "value", THOUSANDS_PROBLEM, where)
    numeric = pc.if_else(number, distinct, None)
    if used == ",":
        numeric = pc.replace_substring(numeric, ",", ".")
    values = pc.cast(numeric, pa.float64()).take(position)
    status = pc.if_else(symbol, distinct, None).take(position)
    return values, status, used


def _is_count(units: pa.ChunkedArray) -> pa.ChunkedArray:
    distinct = pc.unique(units)
    counts = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(distinct)), value_set=pa.array(sorted(COUNT_UNITS)))
    return counts.take(pc.index_in(units, value_set=distinct))


def _decimal_mark(declared: str | None, has_comma: bool, has_point: bool, where: str) -> str | None:
    if has_comma and has_point:
        raise ParseError(where, "values use both decimal comma and decimal point")
    if declared == "," and has_point:
        raise ParseError(where, "a German (decimal comma) file holds a value with a decimal point")
    if declared == "." and has_comma:
        raise ParseError(where, "an English (decimal point) file holds a value with a decimal comma")
    if declared:
        return declared
    return "," if has_comma else "." if has_point else None


def _reject(table: pa.Table, bad: pa.ChunkedArray, column: str, problem: str, where: str) -> None:
    count = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
    if not count:
        return
    offenders = table.filter(bad).slice(0, 3)
    lines = offenders.column("line").to_pylist()
    samples = offenders.column(column).to_pylist()
    detail = ", ".join(f"line {n}: {v!r}" for n, v in zip(lines, samples, strict=True))
    raise ParseError(where, f"{count} {column} field(s) {problem} ({detail})")

"""The GENESIS table CSV ("Tabellen-CSV"): Regionaldatenbank, Destatis and Sachsen web downloads.

    GENESIS-Tabelle: 12411-01-01-4          (or "Tabelle: ..." in the 2026 style)
    <title lines, text in the first cell>
    ;;Stichtag;Stichtag;Stichtag            <header lines: the stub cells are empty>
    ;;31.12.2018;31.12.2018;31.12.2018
    ;;Insgesamt;männlich;weiblich
    DG;Deutschland;83019213;40966691;42052522
    01;  Schleswig-Holstein;...             <data: stub cells, then one value per column>
    __________
    <footnotes, ©, "Stand: 21.03.2020 / 12:15:06">

ISO-8859-1/cp1252, decimal comma. The layout differs per table, so nothing is read by position:
the stub cells of a row are a date or year, a region key followed by its name, a Land by its name
alone, or a row label
(an age class); every header cell over a value column is a date, a unit, a Land, an attribute
(sex, nationality, age), the name of a variable, or part of the measure's name. A table without
a date, a region or a unit anywhere is an error that says which one is missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, TypeVar

from demografie.transforms.ages import is_age_label
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import FlatFile
from demografie.transforms.harmonise import (
    LABEL_ATTRIBUTES,
    LABEL_MEASURES,
    LABEL_UNITS,
    LAND_CODES,
    TOTAL_LABELS,
    VARIABLE_LABELS,
    VARIABLE_NAME_LABELS,
    regional_variable,
)
from demografie.transforms.records import Record, Variable, flat_from_records

# the code ends at a blank or at the ';' a spreadsheet re-save pads the line with ("Table:" in English)
TITLE = re.compile(r"^(?:GENESIS-)?(?:Tabelle|Table):\s*([^\s;]+)")
# the footer's Stand ("Stand: 21.03.2020 / 12:15:06"; in English answers "Status:" or "As of:")
STAND = re.compile(r"(?:Stand|Status|As of):\s*(\d{2}\.\d{2}\.\d{4})\s*/\s*(\d{2}:\d{2}:\d{2})")
DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
YEAR = re.compile(r"^\d{4}$")
# AGS prefixes, and the 12-digit ARS of a Gemeinde (the Zensus databases key Gemeinden by it)
REGION_KEY = re.compile(r"^(DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{12})$")
# a title line that gives the one reference date of the table: "Stichtag: 31.12.2020", "- Stichtag
# 09.05.2011 -" (a census table), "Reference date: 31.12.2020", or the date alone
TITLE_DATE = re.compile(
    r"^(?:-\s*)?(?:(?:Stichtag|Berichtszeitpunkt|Reference date)\s*:?\s*)?(\d{2}\.\d{2}\.\d{4})(?:\s*-)?$",
    re.IGNORECASE,
)
# A row label that is a GENESIS attribute code (BEV-VARIANTE-01), printed before its label.
ATTRIBUTE_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
TITLE_MEASURE = re.compile(r"^(.+?)\s*\(([^()]+)\)\s*$")
FOOTER = "__________"
T = TypeVar("T")


@dataclass
class Column:
    """What the header lines say about one value column."""

    time: str | None = None
    unit: str | None = None
    region: tuple[str, str] | None = None
    attributes: list[Variable] = field(default_factory=list)
    measure: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    table: str
    stub: int
    columns: list[Column]
    data: range
    published: datetime | None
    title_time: str | None
    title_measure: tuple[str, str] | None  # (measure, unit) from a line like "Bevölkerungsstand (Anzahl)"


class Cell(NamedTuple):
    """One value with everything known about it, before the variables are lined up."""

    time: str
    region: tuple[str, str]
    attributes: dict[str, Variable]
    value: str
    unit: str
    measure: str
    line: int


def table_code(data: bytes) -> str | None:
    match = TITLE.match(_decode(data[:200]).lstrip("\ufeff"))
    return match.group(1) if match else None


def prints_stand(data: bytes) -> bool:
    """Whether a table CSV prints its Stand (in the footer), without parsing it."""
    return STAND.search(_decode(data)) is not None


def is_table_csv(first_line: str) -> bool:
    return bool(TITLE.match(first_line.lstrip("\ufeff")))


def parse_table_csv(data: bytes, where: str, row_variable: str | None = None, table: str | None = None) -> FlatFile:
    """`row_variable`: the code under which row labels of the table's own classification (a school
    type, a vocational qualification) are kept; without one such a label is an error.

    `table`: the table the caller asked for or was told (`--table`). A file that names another
    table is refused; a file cut by hand (no `GENESIS-Tabelle:` line, perhaps no footer) is read
    as this table, which only a person who knows the file can say."""
    text = _decode(data)
    _check_replacement_characters(text, where)
    rows = _rows(text, where)
    layout = _layout(rows, where, table)
    _check_row_labels(layout, rows, where, row_variable)
    cells = [cell for i in layout.data for cell in _cells(layout, *rows[i], where, row_variable)]
    _check_once(cells, where)
    return flat_from_records(_records(layout.table, cells, row_variable), where, ",", layout.published)


def _check_row_labels(layout: Layout, rows: list[tuple[int, list[str]]], where: str, row_variable: str | None) -> None:
    """A stub column that gives a row label (a class of the table's own classification) must give one
    on every data row: a row whose label cell is empty would be read as the total over the classes."""
    if row_variable is None:
        return
    data = [(line, cells) for line, cells in (rows[i] for i in layout.data) if any(c.strip() for c in cells)]
    for j in range(layout.stub):
        labelled = next(
            ((line, c[j].strip()) for line, c in data if j < len(c) and c[j].strip() and not _known(c[j].strip())),
            None,
        )
        if labelled is None:
            continue
        empty = next((line for line, c in data if j >= len(c) or not c[j].strip()), None)
        if empty is not None:
            raise ParseError(
                where,
                f"line {empty}: the row label in column {j + 1} is empty, while line {labelled[0]} gives "
                f"{labelled[1]!r} there: a class without its label (an edited file?); nothing was loaded",
            )


def _check_once(cells: list[Cell], where: str) -> None:
    """Each figure once: two rows with the same date, region, classes and measure are a repeated row
    label, or a layout not understood; the message names both lines."""
    seen: dict[tuple[object, ...], int] = {}
    for cell in cells:
        classes = tuple(sorted((code, a.attribute_label) for code, a in cell.attributes.items()))
        key = (cell.time, cell.region[0], classes, cell.measure)
        if (first := seen.setdefault(key, cell.line)) != cell.line:
            shown = ", ".join(f"{label!r}" for _, label in classes) or "no class"
            raise ParseError(
                where,
                f"lines {first} and {cell.line} give the same figure ({cell.measure!r} of {cell.region[0]} on "
                f"{cell.time}, {shown}): a row label repeated, or a layout this reader does not understand; "
                "nothing was loaded",
            )


def _check_replacement_characters(text: str, where: str) -> None:
    """U+FFFD is what an editor writes for characters it could not read: the umlauts of region names
    are lost, and a row would fail later as "no region" without saying why."""
    if "\ufffd" not in text:
        return
    number, line = next((n, line) for n, line in enumerate(text.splitlines(), start=1) if "\ufffd" in line)
    cell = next(c for c in line.split(";") if "\ufffd" in c)
    raise ParseError(
        where,
        f"line {number}: {cell.strip()!r} holds replacement characters (U+FFFD): the file was re-saved "
        "after being read in the wrong encoding, and its umlauts are lost; download the table again",
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(text: str, where: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";", quotechar='"')
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ParseError(where, f"table CSV line {reader.line_num}: {exc}") from None
    return rows


def _layout(rows: list[tuple[int, list[str]]], where: str, table: str | None) -> Layout:
    code, start = _table_named(rows, where, table)
    end = next((i for i, (_, cells) in enumerate(rows) if cells and cells[0].startswith(FOOTER)), None)
    if end is None and start == 1:
        raise ParseError(where, f"no footer line '{FOOTER}': the table CSV seems cut off")
    end = len(rows) if end is None else end  # a file cut by hand ends with its last data line
    first = next((i for i in range(start, end) if _is_header(rows[i][1])), None)
    if first is None:
        raise ParseError(where, "table CSV without header lines (';;<column names>')")
    last = first
    while last + 1 < end and _is_header(rows[last + 1][1]):
        last += 1
    header_lines = list(range(first, last + 1))
    title = [" ".join(rows[i][1][0].split()) for i in range(start, header_lines[0]) if rows[i][1]]
    stub = min(_leading_empty(rows[i][1]) for i in header_lines)
    width = max(len(rows[i][1]) for i in header_lines)
    columns = [_column([_cell(rows[i][1], j) for i in header_lines]) for j in range(stub, width)]
    return Layout(
        table=code,
        stub=stub,
        columns=columns,
        data=range(header_lines[-1] + 1, end),
        published=_stand(rows[end:]),
        title_time=_title_time(title),
        title_measure=_title_measure(title),
    )


def _table_named(rows: list[tuple[int, list[str]]], where: str, table: str | None) -> tuple[str, int]:
    """(the table's code, the first line after it): the code the file names in its first line, which
    must be the one asked for; or, for a file without that line, the code the caller names."""
    match = TITLE.match(rows[0][1][0] if rows and rows[0][1] else "")
    if match is None:
        if table is None:
            raise ParseError(
                where,
                "not a table CSV: the first line is not 'GENESIS-Tabelle: <code>' (a file cut by hand? "
                "name its table with --table)",
            )
        return table, 0
    if table is not None and match.group(1).upper() != table.upper():
        raise ParseError(
            where,
            f"the file names itself table {match.group(1)}, not {table}: another table's answer, or a file "
            "saved under the wrong name; nothing was loaded",
        )
    return match.group(1), 1


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip() == "" and any(c.strip() for c in cells)


def _leading_empty(cells: list[str]) -> int:
    return next((i for i, c in enumerate(cells) if c.strip()), len(cells))


def _cell(cells: list[str], j: int) -> str:
    return " ".join(cells[j].split()) if j < len(cells) else ""


def _stand(footer: Sequence[tuple[int, list[str]]]) -> datetime | None:
    for _, cells in footer:
        if cells and (match := STAND.search(cells[0])):
            return datetime.strptime(" ".join(match.groups()), "%d.%m.%Y %H:%M:%S")
    return None


def _title_time(title: list[str]) -> str | None:
    """The reference date of a table of one date, from its title block: `Stichtag: 31.12.2020`,
    `- Stichtag 09.05.2011 -`, a line that is only the date, or only the year (12711-02-02-4 prints
    `2015;;;…` above its column headers)."""
    for line in title:
        if match := TITLE_DATE.match(line):
            return match.group(1)
        if YEAR.match(line):
            return line
    return None


def _title_measure(title: list[str]) -> tuple[str, str] | None:
    for line in reversed(title):
        match = TITLE_MEASURE.match(line)
        if match and match.group(2).lower() in LABEL_UNITS:
            return match.group(1), LABEL_UNITS[match.group(2).lower()]
    return None


def _column(labels: list[str]) -> Column:
    column = Column()
    for label in labels:
        _classify(column, label)
    return column


def _classify(column: Column, label: str) -> None:
    key = label.lower()
    if not label or key in TOTAL_LABELS or key in VARIABLE_NAME_LABELS:
        return
    if DATE.match(label) or YEAR.match(label):
        column.time = label
    elif key in LABEL_UNITS:
        column.unit = LABEL_UNITS[key]
    elif label in LAND_CODES:
        column.region = (LAND_CODES[label], label)
    elif attribute := _attribute(label):
        column.attributes.append(attribute)
    else:
        column.measure.append(label)


def _attribute(label: str) -> Variable | None:
    key = label.lower()
    if key in LABEL_ATTRIBUTES:
        code, attribute = LABEL_ATTRIBUTES[key]
        return Variable(code, VARIABLE_LABELS[code], attribute, label)
    if is_age_label(label):
        return Variable("ALTER", VARIABLE_LABELS["ALTER"], label, label)
    return None


def _cells(layout: Layout, line: int, cells: list[str], where: str, row_variable: str | None) -> list[Cell]:
    if not any(c.strip() for c in cells):
        return []
    extra = [c for c in cells[layout.stub + len(layout.columns) :] if c.strip()]
    if extra:
        raise ParseError(where, f"line {line}: {len(extra)} value(s) beyond the last column, e.g. {extra[0]!r}")
    time, region, attributes = _stub(cells[: layout.stub], line, where, row_variable)
    found = []
    for j, column in enumerate(layout.columns):
        value = cells[layout.stub + j].strip() if layout.stub + j < len(cells) else ""
        found.append(
            Cell(
                time=_one(column.time, time, layout.title_time, "reference date", line, where),
                region=_required(region or column.region, "region", line, where),
                # shared, never changed: most columns add no attribute of their own
                attributes={**attributes, **{a.code: a for a in column.attributes}}
                if column.attributes
                else attributes,
                value=value,
                unit=_required(column.unit or _part(layout.title_measure, 1), "unit", line, where),
                measure=_required(": ".join(column.measure) or _part(layout.title_measure, 0), "measure", line, where),
                line=line,
            )
        )
    return found


def _stub(
    cells: list[str], line: int, where: str, row_variable: str | None
) -> tuple[str | None, tuple[str, str] | None, dict[str, Variable]]:
    time: str | None = None
    region: tuple[str, str] | None = None
    attributes: dict[str, Variable] = {}
    i = 0
    while i < len(cells):
        text = " ".join(cells[i].split())
        following = " ".join(cells[i + 1].split()) if i + 1 < len(cells) else ""
        if text.lower() in TOTAL_LABELS:
            pass
        elif time is None and (DATE.match(text) or YEAR.match(text)):
            time = text
        elif region is None and REGION_KEY.match(text):
            region = (text, following)
            i += 1
        elif region is None and text in LAND_CODES:  # Destatis Länder tables: the Land by name, no key
            region = (LAND_CODES[text], text)
        elif attribute := _attribute(text):
            attributes[attribute.code] = attribute
        elif text and row_variable and row_variable not in attributes:
            # a table CSV prints no attribute codes: the label, as published, is the code, unless the
            # row gives the code itself before the label (BEV-VARIANTE-01;Geburten und LE moderat ...)
            coded = ATTRIBUTE_CODE.match(text) is not None and bool(following) and not _known(following)
            attributes[row_variable] = Variable(row_variable, row_variable, text, following if coded else text)
            i += 1 if coded else 0
        elif text:
            raise ParseError(where, f"line {line}: row label {text!r} is neither a date, a region nor a known class")
        i += 1
    return time, region, attributes


def _known(text: str) -> bool:
    """Whether a stub cell is a date, a region, a total or an attribute of the vocabulary."""
    return bool(
        text.lower() in TOTAL_LABELS
        or DATE.match(text)
        or YEAR.match(text)
        or REGION_KEY.match(text)
        or text in LAND_CODES
        or _attribute(text)
    )


def _one(column: str | None, row: str | None, title: str | None, what: str, line: int, where: str) -> str:
    if column and row:
        raise ParseError(where, f"line {line}: the {what} is given by both the row and the column header")
    return _required(column or row or title, what, line, where)


def _required(value: T | None, what: str, line: int, where: str) -> T:
    if not value:
        raise ParseError(where, f"line {line}: no {what} in the row, the column headers or the title")
    return value


def _part(pair: tuple[str, str] | None, index: int) -> str | None:
    return pair[index] if pair else None


def _records(table: str, cells: list[Cell], row_variable: str | None) -> list[Record]:
    """Line the cells up: the region first, then every attribute variable of the file, sorted (the
    row variable even where only its total is printed: the figure is still the total over it)."""
    codes = sorted({code for cell in cells for code in cell.attributes} | ({row_variable} if row_variable else set()))
    totals = {c: Variable(c, VARIABLE_LABELS.get(c, c), "", "Insgesamt") for c in codes}
    # a file has few regions and dates but many cells: each is made once
    regions: dict[tuple[str, str], Variable] = {}
    times: dict[str, tuple[str, str]] = {}
    records = []
    for cell in cells:
        if (region := regions.get(cell.region)) is None:
            code, name = cell.region
            region = regions[cell.region] = Variable(
                regional_variable(code), VARIABLE_LABELS[regional_variable(code)], code, name
            )
        if (time := times.get(cell.time)) is None:
            time = times[cell.time] = _time(cell.time)
        others = tuple(cell.attributes.get(c, totals[c]) for c in codes)
        records.append(
            Record(
                statistics_code=table[:5],
                time_code=time[0],
                time=time[1],
                variables=(region, *others),
                value=cell.value,
                unit=cell.unit,
                measure_code=LABEL_MEASURES.get(cell.measure, cell.measure),
                measure_label=cell.measure,
                line=cell.line,
            )
        )
    return records


def _time(text: str) -> tuple[str, str]:
    if match := DATE.match(text):
        day, month, year = match.groups()
        return "STAG", f"{year}-{month}-{day}"
    return "JAHR", text

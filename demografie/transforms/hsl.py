"""Publications of the Hessisches Statistisches Landesamt (HSL): workbooks and their CSV exports.

HSL has no GENESIS database; it publishes workbooks. Rows are keyed by a 6-digit HSL key without
the Land prefix: `000000` Land, `100000`/`200000`/`900000`/`920000` groupings without an AGS ("kreisfreie
Städte", "Landkreise", two planning associations; skipped), `400000` a Regierungsbezirk, `411000` a Kreis, `431001` a
Gemeinde. The multi-row headers are merged cells that differ between sheets, so each sheet we read
declares its columns here: a quirk table, not a guess.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from demografie.fileio import ZIP_MAGIC
from demografie.transforms.ages import TOTAL, age_bounds
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import FlatFile
from demografie.transforms.harmonise import VARIABLE_LABELS, regional_variable
from demografie.transforms.records import Record, Variable, flat_from_records

LAND = "06"
HSL_KEY = re.compile(r"^\d{6}$")
# Digits that open the key of a real region: 0 the Land, 4/5/6 the Regierungsbezirke Darmstadt,
# Gießen and Kassel. Other keys are groupings without an AGS: 100000 "Kreisfreie Städte", 200000
# "Landkreise", 900000 "Regionalverband FrankfurtRheinMain", 920000 "Zweckverband Raum Kassel".
REGION_FIRST_DIGITS = frozenset("0456")
DATE_IN_TEXT = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")

TOTAL_SEX = Variable("GES", "Geschlecht", "", "Insgesamt")
MALE = Variable("GES", "Geschlecht", "GESM", "männlich")
FEMALE = Variable("GES", "Geschlecht", "GESW", "weiblich")
TOTAL_NAT = Variable("NAT", "Nationalität", "", "Insgesamt")
GERMAN = Variable("NAT", "Nationalität", "NATD", "Deutsche")
FOREIGN = Variable("NAT", "Nationalität", "NATA", "Nichtdeutsche")


def age(label: str) -> Variable:
    return Variable("ALTER", VARIABLE_LABELS["ALTER"], label, label)


TOTAL_AGE = Variable("ALTER", VARIABLE_LABELS["ALTER"], "", "Insgesamt")


@dataclass(frozen=True)
class SheetColumn:
    number: int  # the sheet's own column number (the row of 1, 2, 3, ... under the header)
    measure: str
    unit: str
    period: str  # "stichtag": the date in the sheet header; "year": the year of the movement header
    attributes: tuple[Variable, ...] = ()
    # what the column's own header cells must say (a regex over them, lower case, hyphenation
    # undone): a release that swaps two columns is refused, not loaded with the sexes swapped
    heading: str = ""


# Sheet "Bevölkerung" of the Hessische Gemeindestatistik (every release since 2019 has this layout).
GEMEINDESTATISTIK_BEVOELKERUNG = (
    SheetColumn(1, "Fläche", "qkm", "stichtag", heading=r"fläche"),
    SheetColumn(2, "Bevölkerung", "Anzahl", "stichtag", (TOTAL_SEX, TOTAL_NAT, TOTAL_AGE), heading=r"insgesamt"),
    SheetColumn(3, "Bevölkerung", "Anzahl", "stichtag", (MALE, TOTAL_NAT, TOTAL_AGE), heading=r"\bmännlich"),
    SheetColumn(5, "Bevölkerung", "Anzahl", "stichtag", (FEMALE, TOTAL_NAT, TOTAL_AGE), heading=r"\bweiblich"),
    SheetColumn(
        11,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, TOTAL_NAT, age("unter 6")),
        heading=r"\bunter 6\b",
    ),
    SheetColumn(
        13,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, TOTAL_NAT, age("6 bis unter 15")),
        heading=r"\b6 bis unter 15\b",
    ),
    SheetColumn(
        15,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, TOTAL_NAT, age("15 bis unter 65")),
        heading=r"\b15 bis unter 65\b",
    ),
    SheetColumn(
        17,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, TOTAL_NAT, age("65 oder mehr")),
        heading=r"\b65 oder mehr\b",
    ),
    SheetColumn(
        19,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, GERMAN, TOTAL_AGE),
        heading=r"(^|\s)deutsche bevölkerung",
    ),
    SheetColumn(
        34,
        "Bevölkerung",
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, FOREIGN, TOTAL_AGE),
        heading=r"nichtdeutsche bevölkerung",
    ),
    SheetColumn(50, "Lebendgeborene", "Anzahl", "year", heading=r"lebendgeborene"),
    SheetColumn(51, "Gestorbene", "Anzahl", "year", heading=r"gestorbene"),
    SheetColumn(55, "Zugezogene", "Anzahl", "year", heading=r"insgesamt"),
    SheetColumn(59, "Fortgezogene", "Anzahl", "year", heading=r"insgesamt"),
)
# Sheet "Beschäftigte": employees subject to social insurance at residence and at workplace, 30.06.
RESIDENCE, WORKPLACE = "Beschäftigte am Wohnort", "Beschäftigte am Arbeitsort"
GEMEINDESTATISTIK_BESCHAEFTIGTE = (
    SheetColumn(1, RESIDENCE, "Anzahl", "stichtag", (TOTAL_SEX, TOTAL_NAT, TOTAL_AGE), heading=r"insgesamt"),
    SheetColumn(2, RESIDENCE, "Anzahl", "stichtag", (FEMALE, TOTAL_NAT, TOTAL_AGE), heading=r"\bweiblich"),
    SheetColumn(16, WORKPLACE, "Anzahl", "stichtag", (TOTAL_SEX, TOTAL_NAT, TOTAL_AGE), heading=r"insgesamt"),
    SheetColumn(17, WORKPLACE, "Anzahl", "stichtag", (FEMALE, TOTAL_NAT, TOTAL_AGE), heading=r"\bweiblich"),
    SheetColumn(
        23,
        WORKPLACE,
        "Anzahl",
        "stichtag",
        (TOTAL_SEX, FOREIGN, TOTAL_AGE),
        heading=r"ausländische.*insgesamt",
    ),
    SheetColumn(24, WORKPLACE, "Anzahl", "stichtag", (FEMALE, FOREIGN, TOTAL_AGE), heading=r"\bweiblich"),
)
SHEETS = {"Bevölkerung": GEMEINDESTATISTIK_BEVOELKERUNG, "Beschäftigte": GEMEINDESTATISTIK_BESCHAEFTIGTE}
HEADER_ROWS = 5


def ags(hsl_key: str) -> str | None:
    """The AGS prefix of an HSL key; None for groupings that are no region."""
    if hsl_key[0] not in REGION_FIRST_DIGITS:
        return None
    if hsl_key == "000000":
        return LAND
    if hsl_key.endswith("00000"):
        return LAND + hsl_key[0]
    if hsl_key.endswith("000"):
        return LAND + hsl_key[:3]
    return LAND + hsl_key


def is_xlsx(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) and b"xl/workbook.xml" in data[:65536] + data[-65536:]


def sheet_names(data: bytes) -> list[str]:
    """The sheets of a workbook, from its xl/workbook.xml (no need to load the workbook)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listing = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    return [html.unescape(name) for name in re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', listing)]


def is_gemeindestatistik(data: bytes) -> bool:
    """The Hessische Gemeindestatistik: its title sheet names it, or it has both sheets we read."""
    sheets = sheet_names(data)
    return any(s.startswith("Hessische Gemeindestatistik") for s in sheets) or set(SHEETS) <= set(sheets)


def parse_hsl_workbook(data: bytes, where: str) -> FlatFile:
    import openpyxl  # imported here: only this format needs it, and it is slow to import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ParseError(where, f"unreadable workbook: {type(exc).__name__}: {exc}") from None
    known = [name for name in workbook.sheetnames if name in SHEETS]
    if not known:
        raise ParseError(where, f"no sheet we can read; sheets are {workbook.sheetnames}, known {sorted(SHEETS)}")
    records = []
    for name in known:
        rows = [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
        records += _sheet_records(rows, SHEETS[name], f"{where}, sheet {name!r}")
    return flat_from_records(records, where, ".")


def _sheet_records(rows: Sequence[tuple[object, ...]], columns: tuple[SheetColumn, ...], where: str) -> list[Record]:
    numbers = {value: i for i, value in enumerate(rows[HEADER_ROWS - 1]) if isinstance(value, int)}
    header = " ".join(str(cell) for row in rows[: HEADER_ROWS - 1] for cell in row if cell)
    readers = {"stichtag": _stichtag, "year": _movement_year}
    times = {period: readers[period](header, where) for period in {c.period for c in columns}}
    missing = [c.number for c in columns if c.number not in numbers]
    if missing:
        raise ParseError(where, f"the sheet lacks the numbered columns {missing}; has the layout changed?")
    for column in columns:
        _check_heading(rows, numbers[column.number], column, where)
    records = []
    for line, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        key = str(row[0] or "").strip()
        if not HSL_KEY.match(key):
            break  # the footnotes start
        code = ags(key)
        if code is None:
            continue
        region = Variable(regional_variable(code), "Region", code, str(row[1] or "").strip())
        for column in columns:
            time_code, time = times[column.period]
            records.append(
                Record(
                    statistics_code="HSL01",
                    time_code=time_code,
                    time=time,
                    variables=(region, *_attributes(column)),
                    value=_text(row[numbers[column.number]]),
                    unit=column.unit,
                    measure_code=column.measure,
                    measure_label=column.measure,
                    line=line,
                )
            )
    return records


def _check_heading(rows: Sequence[tuple[object, ...]], index: int, column: SheetColumn, where: str) -> None:
    cells = [row[index] for row in rows[: HEADER_ROWS - 1] if index < len(row) and row[index]]
    heading = " ".join(" ".join(str(cell) for cell in cells).replace("-\n", "").lower().split())
    if column.heading and not re.search(column.heading, heading):
        raise ParseError(
            where,
            f"column {column.number} is headed {heading!r}, where {column.measure} "
            f"({', '.join(v.attribute_label for v in _attributes(column))}) was expected; has the layout changed?",
        )


def _attributes(column: SheetColumn) -> tuple[Variable, ...]:
    return column.attributes or (TOTAL_SEX, TOTAL_NAT, TOTAL_AGE)


def _stichtag(header: str, where: str) -> tuple[str, str]:
    match = DATE_IN_TEXT.search(header)
    if match is None:
        raise ParseError(where, "no reference date (dd.mm.yyyy) in the sheet header")
    day, month, year = match.groups()
    return "STAG", f"{year}-{month}-{day}"


def _movement_year(header: str, where: str) -> tuple[str, str]:
    match = re.search(r"Bevölkerungsbewegung (\d{4})", header)
    if match is None:
        raise ParseError(where, "no year of the population movement in the sheet header")
    return "JAHR", match.group(1)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- CSV exports of HSL report sheets (age structure by Kreis) --------------------------------

AGE_EXPORT_TITLE = re.compile(r"am (\d{2}\.\d{2}\.\d{4}) nach Alter")
KREIS_CELL = re.compile(r"(\d{3})(?:\s+(.+))?")
AGE_EXPORT_COLUMNS = tuple((nat, sex) for nat in (TOTAL_NAT, GERMAN, FOREIGN) for sex in (TOTAL_SEX, MALE, FEMALE))


def is_age_export(text: str) -> bool:
    lines = text.lstrip("\ufeff").splitlines()[:2]
    return len(lines) == 2 and bool(AGE_EXPORT_TITLE.search(lines[0])) and lines[1].startswith("AGS / Gebiet,")


def parse_hsl_age_export(data: bytes, where: str) -> FlatFile:
    """'Die Bevölkerung in den kreisfreien Städten und Landkreisen am <date> nach Alter und
    Geschlecht': the Kreis key (3 digits) on a block's first row, its name on the second."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError(where, "the HSL CSV export is not UTF-8") from None
    rows = list(csv.reader(io.StringIO(text)))
    title = AGE_EXPORT_TITLE.search(rows[0][0]) if rows and rows[0] else None
    if title is None:
        raise ParseError(where, "no reference date in the title of the HSL age export")
    day, month, year = title.group(1).split(".")
    records: list[Record] = []
    key, name = "", ""
    for line, row in enumerate(rows[3:], start=4):
        if len(row) < 11 or not row[1].strip():
            continue
        first = row[0].strip()
        if match := KREIS_CELL.fullmatch(first):
            key, name = match.group(1), match.group(2) or ""  # some blocks have "535    Vogelsbergkreis"
        elif first and key and not name:
            name = first
        if not key:
            raise ParseError(where, f"line {line}: data before the first Kreis key")
        label = " ".join(row[1].split())
        bounds = age_bounds("", label)
        if bounds is None:
            raise ParseError(where, f"line {line}: {label!r} is not an age class")
        age_variable = TOTAL_AGE if bounds == TOTAL else age(label)
        region = Variable("KREISE", "Kreise", LAND + key, name)
        for (nat, sex), value in zip(AGE_EXPORT_COLUMNS, row[2:11], strict=True):
            records.append(
                Record(
                    "HSL02",
                    "STAG",
                    f"{year}-{month}-{day}",
                    (region, nat, sex, age_variable),
                    value.strip(),
                    "Anzahl",
                    "Bevölkerung",
                    "Bevölkerung",
                    line,
                )
            )
    return flat_from_records(_named(records, where), where, ",")


def _named(records: list[Record], where: str) -> list[Record]:
    """A block's name is on its second row; give it to the first row too."""
    names: dict[str, str] = {}
    for r in records:
        if r.variables[0].attribute_label:
            names[r.variables[0].attribute_code] = r.variables[0].attribute_label
    unnamed = sorted({r.variables[0].attribute_code for r in records} - set(names))
    if unnamed:
        raise ParseError(where, f"no Kreis name in the block of {', '.join(unnamed)}")
    return [
        r._replace(
            variables=(r.variables[0]._replace(attribute_label=names[r.variables[0].attribute_code]), *r.variables[1:])
        )
        for r in records
    ]

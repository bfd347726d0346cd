"""Building the flat-file table (the v5 layout) from rows that other formats yield one by one.

Every parser ends in the same `FlatFile`, so the normaliser knows one layout only. Formats
that carry labels but no codes (table CSV, the HSL workbook) take codes from the vocabulary in
`harmonise.py` where the publisher has one, and keep the label otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

import pyarrow as pa

from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import VARIABLE_FIELDS, FlatFile, finish, with_published


# Named tuples, not dataclasses: a table CSV makes one of each per cell, and a frozen dataclass
# takes several times as long to construct.
class Variable(NamedTuple):
    code: str
    label: str
    attribute_code: str
    attribute_label: str


class Record(NamedTuple):
    statistics_code: str
    time_code: str
    time: str
    variables: tuple[Variable, ...]
    value: str
    unit: str
    measure_code: str
    measure_label: str
    line: int


def flat_from_records(
    records: Sequence[Record], where: str, decimal: str | None, published: datetime | None = None
) -> FlatFile:
    """One FlatFile from records that all have the same variables in the same order."""
    if not records:
        raise ParseError(where, "the file holds no data rows")
    width = len(records[0].variables)
    for record in records:
        if len(record.variables) != width:
            raise ParseError(where, f"line {record.line}: {len(record.variables)} variables, expected {width}")
    columns: dict[str, list[str] | list[int]] = {
        "statistics_code": [r.statistics_code for r in records],
        "time_code": [r.time_code for r in records],
        "time": [r.time for r in records],
    }
    for i in range(width):
        for field in VARIABLE_FIELDS:
            part = attrgetter(field.removeprefix("variable_"))  # code, label, attribute_code, attribute_label
            columns[f"{i + 1}_{field}"] = [part(r.variables[i]) for r in records]
    columns |= {
        "value": [r.value for r in records],
        "value_unit": [r.unit for r in records],
        "value_variable_code": [r.measure_code for r in records],
        "value_variable_label": [r.measure_label for r in records],
        "line": [r.line for r in records],
    }
    table = pa.table(
        {name: pa.array(values, pa.int64() if name == "line" else pa.string()) for name, values in columns.items()}
    )
    return with_published(finish(table, decimal, where), published)

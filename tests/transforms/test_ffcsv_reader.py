"""DuckDB reads the flat files' rows (transforms/ffcsv.py): every field of every recorded v5 flat
file must come out as Python's own csv module reads it, in the file's order and with its line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from demografie.archive import is_zip, unpack_single
from demografie.transforms.ffcsv import parse_ffcsv
from demografie.transforms.formats import Format, sniff
from tests.support import SAMPLES


def flat_file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return unpack_single(data).data if is_zip(data) else data


# the samples' README names them: `<publisher>_v5_ffcsv_…`, and Destatis' `<table>_flatfile.csv`
FLAT_FILES = sorted(
    path for path in SAMPLES.rglob("*") if "_v5_ffcsv_" in path.name or path.name.endswith("_flatfile.csv")
)


def test_the_samples_hold_flat_files_of_every_publisher() -> None:
    names = " ".join(path.name for path in FLAT_FILES)
    assert len(FLAT_FILES) >= 15
    assert all(publisher in names for publisher in ("regio", "destatis", "zensus", "genesis"))


@pytest.mark.parametrize("path", FLAT_FILES, ids=lambda path: path.name)
def test_every_field_reads_as_the_csv_module_reads_it(path: Path) -> None:
    data = flat_file_bytes(path)
    assert sniff(data, path.name) is Format.FFCSV_V5
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, body = rows[0], [row for row in rows[1:] if row]
    table = parse_ffcsv(data, path.name).table
    assert table.num_rows == len(body)
    for column in header:
        if column in table.column_names and column != "value":  # value becomes a number
            assert table.column(column).to_pylist() == [row[header.index(column)] for row in body], column
    assert table.column("line").to_pylist() == list(range(2, len(body) + 2))

"""The v5 flat-file parser on small files the tests write themselves."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from demografie.transforms import ffcsv
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import SYMBOLS, parse_ffcsv

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)


def row(region: str, sex: str, value: str, time: str = "2024-12-31") -> str:
    return (
        f"12411;Bev;STAG;Stichtag;{time};KREISE;Kreise;{region};Name {region};"
        f"GES;Geschlecht;{sex};label;{value};Anzahl;BEVSTD;Bevölkerungsstand"
    )


def flat(*rows: str, bom: bool = True, header: str = HEADER) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + "\n".join([header, *rows, ""]).encode("utf-8")


def test_every_symbol_becomes_null_value_with_status() -> None:
    rows = [row(f"0641{i}", "GESM", symbol) for i, symbol in enumerate(SYMBOLS)]
    table = parse_ffcsv(flat(*rows), "t").table
    assert table.column("value").to_pylist() == [None] * len(SYMBOLS)
    assert table.column("status").to_pylist() == list(SYMBOLS)


def test_numbers_keep_exact_values_and_no_status() -> None:
    table = parse_ffcsv(flat(row("06411", "", "159207"), row("06412", "", "-12")), "t").table
    assert table.column("value").to_pylist() == [159207.0, -12.0]
    assert table.column("status").to_pylist() == [None, None]


def test_decimal_comma_and_point() -> None:
    german = parse_ffcsv(flat(row("06411", "", "54,30")), "t", ",")
    english = parse_ffcsv(flat(row("06411", "", "54.30")), "t", ".")
    inferred = parse_ffcsv(flat(row("06411", "", "248,31")), "t")
    assert german.table.column("value").to_pylist() == [54.3]
    assert english.table.column("value").to_pylist() == [54.3]
    assert (inferred.decimal, inferred.table.column("value").to_pylist()) == (",", [248.31])


def test_mixed_decimal_marks_are_rejected() -> None:
    with pytest.raises(ParseError, match="both decimal comma and decimal point"):
        parse_ffcsv(flat(row("06411", "", "1,5"), row("06412", "", "1.5")), "t")


def test_point_in_a_german_file_is_rejected() -> None:
    with pytest.raises(ParseError, match="German"):
        parse_ffcsv(flat(row("06411", "", "1.234")), "t", ",")


def test_codes_stay_strings_with_leading_zeros_with_or_without_bom() -> None:
    for bom in (True, False):
        table = parse_ffcsv(flat(row("06411", "GESW", "1"), bom=bom), "t").table
        assert table.column("1_variable_attribute_code").to_pylist() == ["06411"]
        assert table.column("statistics_code").to_pylist() == ["12411"]


def test_unknown_value_is_rejected_with_line_and_table() -> None:
    with pytest.raises(ParseError) as info:
        parse_ffcsv(flat(row("06411", "", "1"), row("06412", "", "12a4")), "regio: table 12411-01-01-4")
    assert str(info.value) == (
        "regio: table 12411-01-01-4: 1 value field(s) is neither a number nor a GENESIS symbol (line 3: '12a4')"
    )


def test_any_number_of_classifying_variables() -> None:
    header = HEADER.replace(
        "value;", "3_variable_code;3_variable_label;3_variable_attribute_code;3_variable_attribute_label;value;"
    )
    line = row("06411", "GESM", "7").replace(";7;", ";NAT;Nationalität;NATA;ausländisch;7;")
    parsed = parse_ffcsv(flat(line, header=header), "t")
    assert parsed.variables == 3
    assert parsed.table.column("3_variable_attribute_code").to_pylist() == ["NATA"]


def test_value_q_becomes_quality() -> None:
    header = HEADER + ";value_q"
    table = parse_ffcsv(flat(row("06411", "", "5") + ";e", row("06412", "", "/") + ";", header=header), "t").table
    assert table.column("quality").to_pylist() == ["e", None]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (flat(), "header but no data rows"),
        (flat(row("06411", "", "1") + ";extra"), "malformed flat file"),
        (b"Statistik_Code;Statistik_Label;Zeit_Code\n1;2;3\n", "v4 flat file"),
        (b"GENESIS-Tabelle: 12411-01-01-4;\n", "not a GENESIS v5 flat file"),
        (flat(row("06411", "", "1")).replace(b"\xc3\xb6", b"\xf6"), "not valid UTF-8"),
        (flat(row("06411", "", "1").replace("12411", "x1241")), "is not a statistics code"),
    ],
)
def test_bad_files_raise_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_ffcsv(data, "t")


def test_a_line_without_end_is_refused_not_read_into_memory() -> None:
    header = HEADER.encode() + b"\n"
    endless = header + b"12411;" + b"x" * (2 * ffcsv.MAX_LINE_BYTES)
    with pytest.raises(ParseError, match=r"t: a line longer than 1048576 bytes; not a flat file"):
        list(ffcsv.iter_ffcsv(io.BytesIO(endless), "t", ","))


def test_a_broken_line_far_into_the_file_is_named_too() -> None:
    rows = [row(f"{i:05d}", "", "1") for i in range(20_000)]  # the reader's later batches
    with pytest.raises(ParseError, match=r"^t: malformed flat file: line 20002: 8 fields where the header has 17$"):
        parse_ffcsv(flat(*rows, ";".join(row("06411", "", "1").split(";")[:8])), "t")


def test_a_header_without_end_is_refused() -> None:
    with pytest.raises(ParseError, match=r"^t: a line longer than 1048576 bytes; not a flat file$"):
        parse_ffcsv(b"statistics_code;" * (ffcsv.MAX_LINE_BYTES // 8), "t")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (flat(row("06411", "", "1"), row("06412", "", "2") + ";extra"), "line 3: 18 fields where the header has 17"),
        (flat(row("06411", "", "1").rsplit(";", 1)[0]), "line 2: 16 fields where the header has 17"),
        (flat(row("06411", "", "1"), row("06412", "", "1")).replace(b"\xc3\xb6", b"\xf6"), "line 2: not valid UTF-8"),
        (flat(row("06411", "", "1").replace("06411", '"06411')), "line 2: a quoted field is never closed"),
    ],
)
def test_a_broken_line_is_named_by_its_number(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=f"^t: malformed flat file: {message}"):
        parse_ffcsv(data, "t")


def test_the_copy_for_the_reader_is_gone_after_a_parse_and_after_a_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert parse_ffcsv(flat(row("06411", "", "1")), "t").table.num_rows == 1
    with pytest.raises(ParseError):
        parse_ffcsv(flat(row("06411", "", "1") + ";extra"), "t")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (
            "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: a;b\nSomething odd here.\n\n"
            "Possible fixes:\n* Enable ignore errors\n\n  file = /tmp/demografie-flat-x/flat.csv\n",
            "malformed flat file: line 3: Something odd here.",
        ),
        ("IO Error: Could not read file", "malformed flat file: Could not read file"),
    ],
)
def test_a_reader_error_of_another_kind_says_what_without_advice_or_paths(message: str, said: str) -> None:
    assert ffcsv.reader_problem(message) == said

"""Format recognition, the label-only formats' edge cases, ages and stamps: pure functions."""

from __future__ import annotations

from datetime import datetime

import pytest

from demografie import catalog
from demografie.sources.genesis import format_stand, parse_updated
from demografie.transforms.ages import age_bounds
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import Format, parse, sniff
from demografie.transforms.hsl import ags
from demografie.transforms.recognise import recognise
from tests.support import sample_path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("regio_v5_ffcsv_12411-01-01-4_de.csv", Format.FFCSV_V5),
        ("regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv", Format.FFCSV_V4),
        ("regio_v4_ffcsv_12411-01-01-4_2023-12-31_en.csv", Format.FFCSV_V4),
        ("regio_tabellencsv_13211-02-05-4_2023.csv", Format.TABLE_CSV),
        ("sachsen_genesis_tabellencsv_12410-010Z_bev_gemeinden_30-06.csv", Format.TABLE_CSV),
        ("hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx", Format.HSL_WORKBOOK),
        ("hessen_hsl_csvexport_altersstruktur_kreise_2021-12-31.csv", Format.HSL_AGE_EXPORT),
    ],
)
def test_the_format_is_recognised_from_the_bytes(name: str, kind: Format) -> None:
    assert sniff(sample_path(name).read_bytes(), name) is kind


def test_the_table_a_file_is_comes_from_inside_it_before_its_name() -> None:
    def read(sample: str, name: str) -> tuple[str | None, str | None, str | None]:
        recognised = recognise(sample_path(sample).read_bytes()[:65536], name)
        return recognised.named, recognised.in_name, recognised.table

    table_csv = "regio_tabellencsv_13211-02-05-4_2023.csv"
    assert read(table_csv, "download.csv") == ("13211-02-05-4", None, "13211-02-05-4")
    assert read(table_csv, "12411-01-01-4.csv") == ("13211-02-05-4", "12411-01-01-4", "13211-02-05-4")
    assert read("destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv", "x.csv")[0] == "12411-0015"
    assert read("regio_v5_ffcsv_12411-01-01-4_de.csv", "flat.csv") == (None, None, None)
    assert read("hessen_hsl_csvexport_altersstruktur_kreise_2021-12-31.csv", "a.csv")[0] == "HSL-ALTER-KREISE"


def test_a_genesis_name_gives_the_decimal_mark_and_the_moment_it_was_written() -> None:
    head = sample_path("regio_v5_ffcsv_12411-01-01-4_en.csv").read_bytes()
    english = recognise(head, "12411-01-01-4_1733312345678_en_flat.csv")
    assert (english.format, english.zipped, english.decimal) == (Format.FFCSV_V5, False, ".")
    assert english.stamp == datetime(2024, 12, 4, 11, 39, 5, 678000)
    german = recognise(head, "12411-01-01-4_1733312345678_de_flat.csv")
    assert (german.decimal, recognise(head, "saved.csv").decimal, recognise(head, "saved.csv").stamp) == (
        ",",
        None,
        None,
    )


def test_a_zip_is_recognised_by_the_file_inside_and_a_workbook_is_not_a_zip() -> None:
    zipped = recognise(sample_path("zensus_v5_ffcsv_1000A-0000_rec2024-12_en.zip").read_bytes(), "z.zip")
    assert (zipped.format, zipped.zipped, zipped.decimal) == (Format.FFCSV_V5, True, ".")
    assert zipped.stamp == datetime(2024, 12, 3, 21, 52, 25, 621000)  # from the member's name
    workbook = recognise(sample_path("hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx").read_bytes(), "w.xlsx")
    assert (workbook.format, workbook.zipped, workbook.table) == (Format.HSL_WORKBOOK, False, "HSL-GEMEINDESTATISTIK")
    with pytest.raises(ParseError, match=r"^b\.zip: a BKG boundary package, not a table"):
        recognise(sample_path("bkg_vg1000_2024-12-31.zip").read_bytes(), "b.zip")


def test_the_broken_english_v4_header_gives_the_same_figures_as_the_german_one() -> None:
    german = parse(sample_path("regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv").read_bytes(), "de").table
    english = parse(sample_path("regio_v4_ffcsv_12411-01-01-4_2023-12-31_en.csv").read_bytes(), "en").table
    columns = ["time", "1_variable_attribute_code", "2_variable_attribute_code", "value_variable_code", "value"]
    assert german.select(columns).to_pylist() == english.select(columns).to_pylist()


TABLE_CSV = (
    "GENESIS-Tabelle: 12411-01-01-4\n"
    "Bevölkerung;;;\n"
    "Bevölkerungsstand (Anzahl);;;\n"
    ";;Stichtag;Stichtag\n"
    ";;31.12.2018;31.12.2018\n"
    ";;männlich;weiblich\n"
    "{rows}"
    "__________\n"
    "Stand: 21.03.2020 / 12:15:06\n"
)


def table_csv(rows: str) -> bytes:
    return TABLE_CSV.format(rows=rows).encode("cp1252")


def test_a_table_csv_reads_codes_from_labels_and_the_stand_from_the_footer() -> None:
    flat = parse(table_csv("06;  Hessen;3000;3100\n06411;    Darmstadt;80;-\n"), "regio: table 12411-01-01-4")
    rows = flat.table.select(
        [
            "time",
            "1_variable_code",
            "1_variable_attribute_code",
            "1_variable_attribute_label",
            "2_variable_attribute_code",
            "value_variable_code",
            "value",
            "status",
        ]
    ).to_pylist()
    assert [tuple(r.values()) for r in rows] == [
        ("2018-12-31", "DLAND", "06", "Hessen", "GESM", "BEVSTD", 3000.0, None),
        ("2018-12-31", "DLAND", "06", "Hessen", "GESW", "BEVSTD", 3100.0, None),
        ("2018-12-31", "KREISE", "06411", "Darmstadt", "GESM", "BEVSTD", 80.0, None),
        ("2018-12-31", "KREISE", "06411", "Darmstadt", "GESW", "BEVSTD", None, "-"),
    ]
    assert flat.published == datetime(2020, 3, 21, 12, 15, 6)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("06;Hessen;3000;3,1.2\n", "1 value field(s) is neither a number nor a GENESIS symbol (line 7: '3,1.2')"),
        ("06;Hessen;3000;3100;42\n", "line 7: 1 value(s) beyond the last column, e.g. '42'"),
        ("", "the file holds no data rows"),
    ],
)
def test_a_broken_table_csv_names_the_line_and_the_problem(rows: str, problem: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(table_csv(rows), "regio: table 12411-01-01-4")
    assert str(raised.value).startswith("regio: table 12411-01-01-4: ")
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("code", "label", "bounds"),
    [
        ("ALT000B03", "unter 3 Jahre", (0, 2)),
        ("ALT075UM", "75 Jahre und mehr", (75, None)),
        ("", "unter 1 Jahr", (0, 0)),
        ("", "1 bis unter 2 Jahre", (1, 1)),
        ("", "  1 bis unter   2", (1, 1)),
        ("", "Unter 1", (0, 0)),
        ("", "40-Jährige", (40, 40)),
        ("", "95 oder älter", (95, None)),
        ("", "65 oder mehr", (65, None)),
        ("", "85 Jahre und älter", (85, None)),
        ("", "Insgesamt", (None, None)),
        ("", "15 bis unter 65", (15, 64)),
        ("", "ledig", None),
    ],
)
def test_age_classes_from_codes_and_labels(code: str, label: str, bounds: tuple[int | None, int | None]) -> None:
    assert age_bounds(code, label) == bounds


@pytest.mark.parametrize(
    ("hsl", "expected"),
    [
        ("000000", "06"),
        ("400000", "064"),
        ("411000", "06411"),
        ("431001", "06431001"),
        ("100000", None),
        ("900000", None),
        ("920000", None),
    ],
)
def test_hsl_keys_become_ags(hsl: str, expected: str | None) -> None:
    assert ags(hsl) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31.03.2025 11:18:07h",
        "31.03.2025 11:18:07",
        "2025-03-31 11:18:07",
        "03/31/2025 11:18:07",
        "03/31/2025 11:18:07 AM",
    ],
)
def test_metadata_stamps_in_german_and_english(text: str) -> None:
    assert parse_updated(text) == datetime(2025, 3, 31, 11, 18, 7)
    assert format_stand(parse_updated(text)) == "31.03.2025 11:18"


def test_a_table_code_of_no_known_publisher_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'../etc' is not a table code of a known publisher"):
        catalog.Dataset("x", "population", "regio", "../etc", "x", {"*": "*"}, 2000)


def test_an_unknown_row_label_is_named() -> None:
    data = table_csv("").replace(b";;", b";;;").replace(b"__", b"06;Hessen;ledig;1;2\n__", 1)
    with pytest.raises(ParseError, match="line 7: row label 'ledig' is neither a date, a region nor a known class"):
        parse(data, "regio: table 12411-01-01-4")


def test_a_table_csv_without_its_footer_is_refused_as_cut_off() -> None:
    data = table_csv("06;Hessen;3000;3100\n06411;Darmstadt;80;85\n").split(b"__________")[0]
    with pytest.raises(ParseError, match="no footer line '__________': the table CSV seems cut off"):
        parse(data, "sachsen: table 12410-010Z")

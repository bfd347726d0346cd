"""Normalising parsed flat files into the shared schema."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import parse_ffcsv
from demografie.transforms.normalise import Provenance, normalise
from demografie.transforms.schema import OBSERVATION_SCHEMA

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "3_variable_code;3_variable_label;3_variable_attribute_code;3_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)
PROVENANCE = Provenance(
    "employees_workplace",
    "regio",
    "13111-01-03-4",
    datetime(2025, 9, 8, 9, 8, 56),
    datetime(2026, 1, 2, 3, 4, 5),
    "load-1",
)


def line(
    variable: str, region: str, nat: str, sex: str, value: str, time: str = "2024-06-30", time_code: str = "STAG"
) -> str:
    return (
        f"13111;SvB;{time_code};Stichtag;{time};{variable};Regionen;{region};  Region {region}  ;"
        f"NAT;Nationalität;{nat};n;GES;Geschlecht;{sex};s;{value};Anzahl;ERW032;SvB"
    )


def run(*lines: str, states: tuple[str, ...] = ("06", "14")) -> list[dict[str, object]]:
    data = "\n".join([HEADER, *lines]).encode()
    table = normalise(parse_ffcsv(data, "t", ","), PROVENANCE, {"ERW032": "employees"}, states)
    assert table.schema == OBSERVATION_SCHEMA
    result: list[dict[str, object]] = table.to_pylist()
    return result


def test_harmonises_sex_nationality_region_and_state() -> None:
    rows = run(
        line("DLAND", "06", "", "", "2761767"),
        line("REGBEZ", "146", "NATA", "GESW", "22864"),
        line("KREISE", "14612", "", "GESM", "-"),
        line("DINSG", "DG", "", "", "34837102"),
        line("KREISE", "09276", "NATA", "GESW", "1628"),
    )
    got = {
        (r["region_code"], r["region_level"], r["state"], r["sex"], r["nationality"], r["value"], r["status"])
        for r in rows
    }
    assert got == {
        ("06", "land", "06", "total", "total", 2761767.0, None),
        ("146", "regbez", "14", "female", "foreign", 22864.0, None),
        ("14612", "kreis", "14", "male", "total", None, "-"),
    }


def test_keeps_codes_as_published_and_provenance() -> None:
    (row,) = run(line("KREISE", "06411", "NATA", "GESW", "12"))
    assert row["source_dims"] == [("GES", "GESW"), ("NAT", "NATA")]
    assert row["region_name"] == "Region 06411"
    assert (row["ref_date"], row["period_type"], row["unit"], row["measure"]) == (
        date(2024, 6, 30),
        "stichtag",
        "count",
        "employees",
    )
    assert (row["source"], row["source_table"], row["source_measure"], row["load_id"]) == (
        "regio",
        "13111-01-03-4",
        "ERW032",
        "load-1",
    )
    assert row["vintage"] == datetime(2025, 9, 8, 9, 8, 56)
    assert row["synthetic"] is False


def test_year_periods_end_on_31_december() -> None:
    (row,) = run(line("KREISE", "06411", "", "", "5", time="2019", time_code="JAHR"))
    assert (row["ref_date"], row["period_type"]) == (date(2019, 12, 31), "year")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line("KREISE", "06411", "NATX", "", "1")], r"unknown NAT attribute \['NATX'\]"),
        ([line("KREISE", "06411", "", "", "1").replace("ERW032", "ERW999")], "unknown value variable"),
        ([line("KREISE", "06411", "", "", "1").replace("Anzahl", "Stück")], "unknown unit"),
        ([line("KREISE", "06411", "", "", "1"), line("KREISE", "06411", "", "", "2")], "appear twice"),
        ([line("KREISE", "09276", "", "", "1")], "no rows for the states"),
        ([line("KREISE", "0641", "", "", "1")], "region keys of unknown length"),
        ([line("KREISE", "06411", "", "", "1", time_code="MONAT")], "unsupported time variable"),
        ([line("KREISE", "06411", "", "", "1", time="2024-13-45")], "invalid dates|unreadable"),
    ],
)
def test_unmappable_input_is_a_clear_error(lines: list[str], message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        run(*lines)
    assert str(info.value).startswith("regio: table 13111-01-03-4: ")


TWO_VARIABLES = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)


MONTHLY = replace(PROVENANCE, dataset="unemployment_land_monthly", source="destatis", source_table="13211-0010")


def test_a_monthly_series_gets_the_last_day_of_each_month() -> None:
    header = TWO_VARIABLES
    rows = [
        f"13211;Arbeitsmarkt;JAHR;Jahr;2024;DLAND;Länder;06;Hessen;MONAT;Monate;{month};m;{value};Anzahl;ERW003;A"
        for month, value in (("MONAT02", "190000"), ("MONAT12", "185000"))
    ]
    flat = parse_ffcsv(("\n".join([header, *rows]) + "\n").encode(), "destatis: table 13211-0010")
    table = normalise(flat, MONTHLY, {"*": "unemployed"}, ["06"])
    found = [(r["ref_date"], r["period_type"], dict(r["source_dims"]), r["value"]) for r in table.to_pylist()]
    assert found == [
        (date(2024, 2, 29), "month", {"MONAT": "MONAT02"}, 190000.0),
        (date(2024, 12, 31), "month", {"MONAT": "MONAT12"}, 185000.0),
    ]


def test_an_unknown_month_is_named() -> None:
    header = TWO_VARIABLES
    row = "13211;A;JAHR;Jahr;2024;DLAND;Länder;06;Hessen;MONAT;Monate;MONAT13;m;1;Anzahl;ERW003;A"
    flat = parse_ffcsv(f"{header}\n{row}\n".encode(), "destatis: table 13211-0010")
    with pytest.raises(ParseError, match="destatis: table 13211-0010: unknown month 'MONAT13'"):
        normalise(flat, MONTHLY, {"*": "unemployed"}, ["06"])


def test_a_measure_known_by_its_label_only() -> None:
    rows = [
        f"12711;Wanderungen;JAHR;Jahr;2024;KREISE;Kreise;06611;Kassel;GES;Geschlecht;;Insgesamt;{value};Anzahl;{code};{label}"
        for code, label, value in (
            ("BEV081", "Zuzüge über die Kreisgrenzen", "15000"),
            ("BEV082", "Fortzüge über die Kreisgrenzen", "14000"),
            ("BEV083", "Wanderungssaldo", "1000"),
        )
    ]
    flat = parse_ffcsv(("\n".join([TWO_VARIABLES, *rows]) + "\n").encode(), "regio: table 12711-04-02-4")
    measures = {"label:Zuzüge": "moves_in", "label:Fortzüge": "moves_out", "*": "*"}
    migration = replace(PROVENANCE, dataset="migration_kreis_borders", source_table="12711-04-02-4")
    table = normalise(flat, migration, measures, ["06"])
    assert sorted((r["source_measure"], r["measure"]) for r in table.to_pylist()) == [
        ("BEV081", "moves_in"),
        ("BEV082", "moves_out"),
        ("BEV083", "bev083"),
    ]


def test_value_variables_of_different_breakdowns_in_one_file() -> None:
    # As in 52411-02-01-4: one value variable is broken down by sex, the other leaves the
    # classifying variable empty in its rows (it is not broken down by it).
    rows = [
        "52411;Unternehmensregister;JAHR;Jahr;2023;KREISE;Kreise;06611;Kassel;GES;Geschlecht;GESM;männlich;"
        "120;Anzahl;UNT001;Unternehmen",
        "52411;Unternehmensregister;JAHR;Jahr;2023;KREISE;Kreise;06611;Kassel;GES;Geschlecht;GESW;weiblich;"
        "80;Anzahl;UNT001;Unternehmen",
        "52411;Unternehmensregister;JAHR;Jahr;2023;KREISE;Kreise;06611;Kassel;;;;;3500;Anzahl;UNT002;Beschäftigte",
    ]
    flat = parse_ffcsv(("\n".join([TWO_VARIABLES, *rows]) + "\n").encode(), "regio: table 52411-02-01-4")
    provenance = replace(PROVENANCE, dataset="x", source_table="52411-02-01-4")
    table = normalise(flat, provenance, {"*": "*"}, ["06"])
    assert sorted((r["source_measure"], r["sex"], r["value"]) for r in table.to_pylist()) == [
        ("UNT001", "female", 80.0),
        ("UNT001", "male", 120.0),
        ("UNT002", "total", 3500.0),
    ]

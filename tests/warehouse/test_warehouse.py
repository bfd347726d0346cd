"""Lake and warehouse build: versions across vintages, checks that keep the old warehouse."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from demografie import catalog
from demografie.devserver.largefile import write_large_flat_file
from demografie.settings import Paths
from demografie.transforms import ffcsv
from demografie.transforms.errors import ParseError
from demografie.transforms.formats import parse
from demografie.transforms.normalise import Provenance, normalise
from demografie.transforms.schema import SYNTHETIC_NOTICE
from demografie.warehouse.build import build_warehouse
from demografie.warehouse.checks import ChecksFailedError
from demografie.warehouse.deliveries import Delivery, load_delivery
from demografie.warehouse.lake import write_delivery
from tests.support import POPULATION as SAMPLE_POPULATION
from tests.support import sample_path

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)
POPULATION = catalog.find("population")


def flat(values: dict[tuple[str, str], str]) -> bytes:
    lines = [HEADER] + [
        f"12411;B;STAG;Stichtag;2023-12-31;KREISE;K;{region};N{region};GES;G;{sex};s;{value};Anzahl;BEVSTD;B"
        for (region, sex), value in values.items()
    ]
    return ("\n".join(lines) + "\n").encode()


def deliver(paths: Paths, data: bytes, vintage: datetime) -> None:
    provenance = Provenance("population", "regio", "12411-01-01-4", vintage, vintage, f"load-{vintage:%Y}")
    load_delivery(paths.lake, Delivery(POPULATION, [data], provenance, ["06", "14"], decimal=","), raw_file="raw/x")


def rows(paths: Paths, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    result = Paths.from_env(tmp_path)
    result.ensure()
    return result


def test_a_revised_figure_keeps_both_versions_and_the_newer_is_current(paths: Paths) -> None:
    # Frankfurt 31.12.2023 before and after the census re-basing (docs/data-sources.md, "Revisions and census bases").
    deliver(paths, flat({("06412", ""): "775790", ("06411", ""): "100"}), datetime(2024, 12, 1))
    deliver(paths, flat({("06412", ""): "749596", ("06411", ""): "100"}), datetime(2025, 6, 1))
    build_warehouse(paths, catalog.DATASETS)
    versions = rows(
        paths,
        "SELECT value, valid_from, valid_to FROM core.observations WHERE region_code = '06412' ORDER BY valid_from",
    )
    assert versions == [(775790.0, datetime(2024, 12, 1), datetime(2025, 6, 1)), (749596.0, datetime(2025, 6, 1), None)]
    assert rows(paths, "SELECT population FROM marts.population WHERE region_code = '06412'") == [(749596.0,)]
    assert rows(paths, "SELECT count(*) FROM core.observations WHERE region_code = '06411'") == [(1,)]


def test_same_delivery_twice_writes_nothing_new(paths: Paths) -> None:
    data = flat({("06412", ""): "1"})
    deliver(paths, data, datetime(2025, 1, 1))
    deliver(paths, data, datetime(2025, 2, 1))
    assert len(list((paths.home / "lake" / "manifest").rglob("*.json"))) == 1
    name = hashlib.sha256(data).hexdigest()[:16]
    assert [p.name for p in (paths.home / "lake" / "observations").rglob("*.parquet")] == [f"{name}.parquet"]


def test_land_total_is_the_sum_of_kreise_without_regbez(paths: Paths) -> None:
    data = flat({("06411", ""): "10", ("06412", ""): "20", ("064", ""): "30", ("14612", ""): "-", ("14511", ""): "5"})
    deliver(paths, data, datetime(2025, 1, 1))
    build_warehouse(paths, catalog.DATASETS)
    totals = rows(paths, "SELECT state, value, derivation, regions_used FROM marts.land_totals ORDER BY state")
    assert totals == [("06", 30.0, "sum_of_kreise", 2), ("14", 5.0, "sum_of_kreise", 1)]


def test_secret_kreis_makes_the_sum_unknown(paths: Paths) -> None:
    deliver(paths, flat({("06411", ""): "10", ("06412", ""): "."}), datetime(2025, 1, 1))
    build_warehouse(paths, catalog.DATASETS)
    assert rows(paths, "SELECT value, status FROM marts.land_totals") == [(None, ".")]


def test_a_delivery_that_an_error_check_would_refuse_never_enters_the_lake(paths: Paths) -> None:
    deliver(paths, flat({("06411", ""): "10"}), datetime(2025, 1, 1))
    build_warehouse(paths, catalog.DATASETS)
    with pytest.raises(ParseError) as info:
        deliver(paths, flat({("06412", ""): "-3", ("06411", ""): "11"}), datetime(2025, 2, 1))
    assert str(info.value) == (
        "regio: table 12411-01-01-4: 1 negative count(s) of persons, e.g. BEVSTD 06412 2023-12-31: -3; a misread file, "
        "not a figure to keep: nothing was loaded, the lake and warehouse are unchanged"
    )
    assert len(list((paths.home / "lake" / "manifest").rglob("*.json"))) == 1
    assert [p.name for p in (paths.home / "lake").rglob("*") if p.is_file() and p.name.startswith(".")] == []
    deliver(paths, flat({("06412", ""): "20", ("06411", ""): "11"}), datetime(2025, 3, 1))
    build_warehouse(paths, catalog.DATASETS)  # the next delivery of the table builds as if nothing happened
    assert rows(paths, "SELECT region_code, value FROM core.current_observations ORDER BY 1") == [
        ("06411", 11.0),
        ("06412", 20.0),
    ]


def test_a_failing_error_check_keeps_the_previous_warehouse(paths: Paths) -> None:
    deliver(paths, flat({("06411", ""): "10"}), datetime(2025, 1, 1))
    build_warehouse(paths, catalog.DATASETS)
    before = paths.warehouse.read_bytes()
    # a lake written by an older demografie, which did not check a delivery before its commit
    provenance = Provenance("population", "regio", "12411-01-01-4", datetime(2025, 2, 1), datetime(2025, 2, 1), "old")
    table = normalise(parse(flat({("06412", ""): "-3"}), "old", ","), provenance, POPULATION.measures, ["06"])
    write_delivery(paths.lake, table, content_sha256="0" * 64, raw_file="raw/old")
    with pytest.raises(ChecksFailedError) as info:
        build_warehouse(paths, catalog.DATASETS)
    assert "check no_negative_counts (error): 1 violating row(s)" in str(info.value)
    assert '"region_code": "06412"' in str(info.value)
    assert paths.warehouse.read_bytes() == before
    assert [p.name for p in paths.home.iterdir() if p.name.startswith(".")] == []


def test_reader_holding_the_warehouse_open_does_not_block_the_build(paths: Paths) -> None:
    deliver(paths, flat({("06411", ""): "10"}), datetime(2025, 1, 1))
    build_warehouse(paths, catalog.DATASETS)
    with duckdb.connect(str(paths.warehouse), read_only=True) as analyst:
        deliver(paths, flat({("06412", ""): "20"}), datetime(2025, 2, 1))
        build_warehouse(paths, catalog.DATASETS)
        assert analyst.execute("SELECT count(*) FROM core.observations").fetchone() == (1,)
    assert rows(paths, "SELECT count(*) FROM core.observations") == [(2,)]


def dated_flat(rows: list[tuple[str, str, str]]) -> bytes:
    """(region, date, value) rows of all-sexes population."""
    lines = [HEADER] + [
        f"12411;B;STAG;Stichtag;{day};KREISE;K;{region};N{region};GES;G;;Insgesamt;{value};Anzahl;BEVSTD;B"
        for region, day, value in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_table_of_one_delivery_gets_the_versions_the_windows_give(tmp_path: Path) -> None:
    # A table of one delivery skips the versioning windows; a second, unchanged delivery sends it
    # through them. Both must give the same versions.
    rows = [("06411", "2024-12-31", "160000"), ("06412", "2024-12-31", "770000"), ("14511", "2024-12-31", "-")]
    once, twice = Paths.from_env(tmp_path / "once"), Paths.from_env(tmp_path / "twice")
    for home, vintages in ((once, [datetime(2025, 11, 1)]), (twice, [datetime(2025, 11, 1), datetime(2025, 12, 1)])):
        home.ensure()
        for k, vintage in enumerate(vintages):
            deliver(home, dated_flat(rows[k:] + rows[:k]), vintage)  # other bytes, the same figures
        build_warehouse(home, catalog.DATASETS)
    assert rows_of(twice, "SELECT count(*) FROM meta.loads") == [(2,)]
    everything = "SELECT * FROM core.observations ORDER BY ALL"
    assert rows_of(once, everything) == rows_of(twice, everything)
    assert rows_of(twice, "SELECT count(*), count(valid_to), min(valid_from) FROM core.observations") == [
        (3, 0, datetime(2025, 11, 1))
    ]


def test_a_build_in_little_memory_says_where_its_time_went_and_leaves_nothing_behind(paths: Paths) -> None:
    rows = [("06411", "2024-12-31", "160000"), ("14511", "2024-12-31", "250")]
    deliver(paths, dated_flat(rows), datetime(2025, 11, 1))
    result = build_warehouse(paths, catalog.DATASETS, memory_mb=128)
    assert list(result.seconds) == ["stage", "core", "marts", "docs", "checks", "finish"]
    phases = ", ".join(f"{phase} [0-9]+[.][0-9]" for phase in result.seconds)
    assert re.fullmatch(f"[0-9]+[.][0-9] s [(]{phases}[)]", result.split())
    assert rows_of(paths, "SELECT region_code, population FROM marts.population ORDER BY ALL") == [
        ("06411", 160000.0),
        ("14511", 250.0),
    ]
    # nothing of the build stays beside the warehouse: the staging file, its WAL, the spill
    # directory (which DuckDB makes only when it spills, so this small build may have none)
    assert [path.name for path in paths.warehouse.parent.iterdir() if ".building" in path.name] == []


def test_regions_outside_their_period_never_reach_a_mart(paths: Paths) -> None:
    # Test data: a Hanau figure dated before Hanau became a Kreis (06415, 1 January 2026), and a
    # dissolved Saxon Kreis (14161, until 31 July 2008) that the publishers fill with '-'.
    rows = [
        ("06415", "2025-12-31", "100"),
        ("06415", "2026-06-30", "101"),
        ("06435", "2025-12-31", "420"),
        ("06435", "2026-06-30", "320"),
        ("14161", "2024-12-31", "-"),
        ("14511", "2024-12-31", "250"),
    ]
    deliver(paths, dated_flat(rows), datetime(2026, 11, 1))
    build_warehouse(paths, catalog.DATASETS)
    assert rows_of(paths, "SELECT region_code, ref_date, population FROM marts.population ORDER BY ALL") == [
        ("06415", date(2026, 6, 30), 101.0),
        ("06435", date(2025, 12, 31), 420.0),
        ("06435", date(2026, 6, 30), 320.0),
        ("14511", date(2024, 12, 31), 250.0),
    ]
    assert rows_of(paths, "SELECT state, ref_date, value, regions_used FROM marts.land_totals ORDER BY ALL") == [
        ("06", date(2025, 12, 31), 420.0, 1),
        ("06", date(2026, 6, 30), 421.0, 2),
        ("14", date(2024, 12, 31), 250.0, 1),
    ]
    # the totals behind the change mart keep out Hanau before it was a Kreis too
    hanau = "SELECT ref_date, value FROM core.population_totals WHERE region_code = '06415' ORDER BY ALL"
    assert rows_of(paths, hanau) == [(date(2026, 6, 30), 101.0)]
    periods = rows_of(paths, "SELECT valid_from, valid_to FROM core.regions WHERE region_code = '06435' ORDER BY ALL")
    assert periods == [(date(2026, 1, 1), None), (None, date(2025, 12, 31))]
    # nothing is lost: the core keeps every row as delivered
    assert rows_of(paths, "SELECT count(*) FROM core.observations") == [(6,)]


def rows_of(paths: Paths, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_net_migration_by_age_band(paths: Paths) -> None:
    # Test data in the flat-file layout of a Regionaldatenbank migration table (codes by label).
    header = HEADER.replace(
        "value;", "3_variable_code;3_variable_label;3_variable_attribute_code;3_variable_attribute_label;value;"
    )
    moves = {
        ("ALT018B25", "Zuzüge"): 3000,
        ("ALT018B25", "Fortzüge"): 1800,
        ("ALT065UM", "Zuzüge"): 200,
        ("ALT065UM", "Fortzüge"): 450,
    }
    lines = [header] + [
        f"12711;W;JAHR;Jahr;2024;KREISE;K;06611;Kassel;GES;G;;Insgesamt;ALTX20;Alter;{age};a;{count};Anzahl;"
        f"{'BEV081' if label == 'Zuzüge' else 'BEV082'};{label} über die Kreisgrenzen"
        for (age, label), count in moves.items()
    ]
    dataset = catalog.find("migration_kreis_borders")
    provenance = Provenance(dataset.name, "regio", dataset.table, datetime(2025, 5, 1), datetime(2025, 5, 2), "l")
    load_delivery(paths.lake, Delivery(dataset, [("\n".join(lines) + "\n").encode()], provenance, ["06"]), raw_file="r")
    build_warehouse(paths, catalog.DATASETS)
    found = rows_of(
        paths,
        "SELECT age_from, age_to, moves_in, moves_out, net_migration, settlement_type FROM "
        "marts.net_migration_by_age WHERE region_code = '06611' AND year = 2024 ORDER BY age_from",
    )
    assert found == [
        (18, 24, 3000.0, 1800.0, 3000.0 - 1800.0, "kreisfreie_stadt"),
        (65, None, 200.0, 450.0, 200.0 - 450.0, "kreisfreie_stadt"),
    ]


def lake_rows(paths: Paths) -> list[tuple[object, ...]]:
    with duckdb.connect() as con:
        return con.execute(
            "SELECT region_code, ref_date, sex, value, status, source_dims FROM read_parquet(?) ORDER BY ALL",
            [str(paths.home / "lake" / "observations" / "**" / "*.parquet")],
        ).fetchall()


def test_a_flat_file_read_in_many_blocks_gives_the_same_lake_as_read_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sample_path(SAMPLE_POPULATION).read_bytes()  # 296 KB, 2,000 rows: blocks of 100 rows
    whole, blocked = Paths.from_env(tmp_path / "whole"), Paths.from_env(tmp_path / "blocked")
    provenance = Provenance("population", "regio", "12411-01-01-4", datetime(2025, 3, 31), datetime(2025, 3, 31), "l")
    first = load_delivery(whole.lake, Delivery(POPULATION, [data], provenance, ["06", "14"], decimal=","), raw_file="r")
    monkeypatch.setattr(ffcsv, "BATCH_ROWS", 100)
    assert len(list(ffcsv.iter_ffcsv(io.BytesIO(data), "t", ","))) > 10
    second = load_delivery(
        blocked.lake, Delivery(POPULATION, [data], provenance, ["06", "14"], decimal=","), raw_file="r"
    )
    assert first.entry.content_sha256 == second.entry.content_sha256 == hashlib.sha256(data).hexdigest()
    assert first.entry.rows == second.entry.rows > 100
    assert lake_rows(whole) == lake_rows(blocked)


def test_a_flat_file_on_disk_is_read_where_it_lies_and_keeps_the_digest_of_its_bytes(tmp_path: Path) -> None:
    data = sample_path(SAMPLE_POPULATION).read_bytes()
    source = tmp_path / "answer.csv"
    source.write_bytes(data)
    on_disk, in_memory = Paths.from_env(tmp_path / "on-disk"), Paths.from_env(tmp_path / "in-memory")
    provenance = Provenance("population", "regio", "12411-01-01-4", datetime(2025, 3, 31), datetime(2025, 3, 31), "l")
    opened = load_delivery(
        on_disk.lake, Delivery(POPULATION, [lambda: source.open("rb")], provenance, ["06", "14"]), raw_file="r"
    )
    given = load_delivery(in_memory.lake, Delivery(POPULATION, [data], provenance, ["06", "14"]), raw_file="r")
    assert opened.entry.content_sha256 == given.entry.content_sha256 == hashlib.sha256(data).hexdigest()
    assert lake_rows(on_disk) == lake_rows(in_memory) != []


def test_an_observation_repeated_in_a_later_block_refuses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sample_path(SAMPLE_POPULATION).read_bytes()
    lines = data.split(b"\n")
    hessen = next(line for line in lines if b";KREISE;" in line and b";06412;" in line)
    monkeypatch.setattr(ffcsv, "BATCH_ROWS", 100)
    paths = Paths.from_env(tmp_path)
    provenance = Provenance("population", "regio", "12411-01-01-4", datetime(2025, 3, 31), datetime(2025, 3, 31), "l")
    with pytest.raises(ParseError, match=r"regio: table 12411-01-01-4: 1 observation\(s\) appear more than once"):
        load_delivery(paths.lake, Delivery(POPULATION, [data + hessen + b"\n"], provenance, ["06", "14"]), raw_file="r")
    assert not (tmp_path / "lake" / "manifest").exists()
    assert [p.name for p in (tmp_path / "lake").rglob("*") if p.is_file()] == []


def test_the_benchmark_file_is_a_flat_file_we_load_and_label_synthetic(tmp_path: Path) -> None:
    source = tmp_path / "large.csv"
    written = write_large_flat_file(source, 5_000)
    assert SYNTHETIC_NOTICE.encode() in source.read_bytes().split(b"\n")[1]
    now = datetime(2026, 1, 1)
    provenance = Provenance("population_single_years", "regio", "12411-04-02-4", now, now, "bench", synthetic=True)
    paths = Paths.from_env(tmp_path / "home")
    dataset = catalog.find("12411-04-02-4")
    loaded = load_delivery(
        paths.lake, Delivery(dataset, [lambda: source.open("rb")], provenance, ["06", "14"]), raw_file="r"
    )
    assert loaded.entry.rows == written and loaded.entry.synthetic


def test_the_manifest_index_answers_alone_and_follows_every_change(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from demografie.warehouse import lake

    deliver(paths, flat({("06411", ""): "10"}), datetime(2025, 1, 1))
    deliver(paths, flat({("06412", ""): "20"}), datetime(2025, 2, 1))
    first = lake.committed_entries(paths.lake)
    assert (paths.home / "lake" / lake.INDEX).exists()

    def unread(store: object, key: str) -> None:
        raise AssertionError(f"read {key} although the index is current")

    with monkeypatch.context() as patched:  # one listing and the index: no entry is read
        patched.setattr(lake, "read_entry", unread)
        assert lake.committed_entries(paths.lake) == first

    (marker, _) = sorted((paths.home / "lake" / "manifest").rglob("*.json"))
    record = json.loads(marker.read_text("utf-8"))
    marker.write_text(json.dumps({**record, "vintage": "2025-01-02T00:00:00"}, indent=3), "utf-8")  # edited in place
    assert "2025-01-02T00:00:00" in {e.vintage for e in lake.committed_entries(paths.lake)}
    marker.unlink()
    assert len(lake.committed_entries(paths.lake)) == 1
    (paths.home / "lake" / lake.INDEX).write_text("{ damaged", "utf-8")
    assert [e.first_ref_date for e in lake.committed_entries(paths.lake)] == ["2023-12-31"]


def test_the_build_order_follows_from_what_each_sql_file_reads() -> None:
    """No hand-kept list: the marts of indicators come after the marts they combine, the census
    comparison after the totals, and every file that creates something is a step."""
    from demografie.warehouse.sqlfiles import build_steps

    steps = build_steps()
    at = {step: i for i, step in enumerate(steps)}
    assert steps[0] == "core/schemas.sql"
    for before in (
        "marts/age_structure.sql",
        "marts/movement.sql",
        "marts/labour_market.sql",
        "marts/population_change.sql",
    ):
        assert at[before] < at["marts/indicators.sql"], before
    assert at["core/population_totals.sql"] < at["marts/census_comparison.sql"]
    assert at["core/regions.sql"] < at["core/population_totals.sql"]
    # a macro is a dependency like a relation: the lists before every mart that calls them
    assert at["core/lists.sql"] < min(at["marts/age_structure.sql"], at["marts/movement.sql"])
    assert at["meta/indicators.sql"] < at["marts/indicators.sql"]
    assert at["core/observations.sql"] < at["core/regions.sql"]
    assert "geo/boundaries.sql" in at and "meta/check_results.sql" not in at  # the checks make that one

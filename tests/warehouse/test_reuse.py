"""A build copies the versions of unchanged tables from the live warehouse: the same warehouse as a
full build, and never copied from a file that someone wrote to."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demografie import catalog
from demografie.cli import app
from demografie.laender import DEFAULT_STATES
from demografie.settings import Paths
from demografie.transforms.normalise import Provenance
from demografie.warehouse.build import build_warehouse
from demografie.warehouse.deliveries import Delivery, load_delivery
from demografie.warehouse.lake import committed_entries
from tests.support import EMPLOYEES, POPULATION, sample_path

FRANKFURT_2024 = (
    "KREISE;Kreise und kreisfreie Städte;06412;Frankfurt am Main, kreisfreie Stadt;"
    "GES;Geschlecht;{code};{label};{value};"
)
# Frankfurt 31.12.2024 in the recorded 12411-01-01-4 (total, women, men) and a revision of it made
# up for this test, delivered as synthetic
RECORDED = {("", "Insgesamt"): 756021, ("GESW", "weiblich"): 384786, ("GESM", "männlich"): 371235}
REVISED = {("", "Insgesamt"): 756100, ("GESW", "weiblich"): 384836, ("GESM", "männlich"): 371264}


def home_like(template: Path, target: Path, warehouse_of: Path) -> Paths:
    """A data home with the template's raw files and lake, and the warehouse of the home `warehouse_of`."""
    shutil.copytree(template / "raw", target / "raw")
    shutil.copytree(template / "lake", target / "lake")
    shutil.copy2(warehouse_of / "warehouse.duckdb", target / "warehouse.duckdb")
    return Paths.from_env(target)


def two_tables(target: Path) -> Paths:
    """A home with the recorded population and employees tables, built once."""
    paths = Paths.from_env(target)
    paths.ensure()
    for name, table in ((POPULATION, "12411-01-01-4"), (EMPLOYEES, "13111-01-03-4")):
        dataset = catalog.find(table)
        vintage = datetime(2026, 3, 15, 10)
        provenance = Provenance(dataset.name, dataset.source, dataset.table, vintage, vintage, "recorded")
        delivery = Delivery(dataset, [sample_path(name).read_bytes()], provenance, DEFAULT_STATES)
        load_delivery(paths.lake, delivery, raw_file=f"raw/{name}")
    build_warehouse(paths, catalog.DATASETS)
    return paths


def deliver_revision(paths: Paths) -> None:
    data = sample_path(POPULATION).read_bytes().decode("utf-8-sig")
    for (code, label), value in RECORDED.items():
        revised = REVISED[(code, label)]
        data = data.replace(
            FRANKFURT_2024.format(code=code, label=label, value=value),
            FRANKFURT_2024.format(code=code, label=label, value=revised),
        )
    dataset = catalog.find("12411-01-01-4")
    vintage = datetime(2026, 11, 30, 8)
    provenance = Provenance(dataset.name, dataset.source, dataset.table, vintage, vintage, "revision", synthetic=True)
    load_delivery(paths.lake, Delivery(dataset, [data.encode()], provenance, DEFAULT_STATES), raw_file="raw/revision")


def relations(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        f'{database}."{schema}"."{name}"'
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal "
            "ORDER BY ALL",
            [database, database],
        ).fetchall()
    ]


def differences(one: Path, other: Path) -> dict[str, tuple[int, int]]:
    """Per relation of either file, the rows only in the one and only in the other (the build's
    timestamp aside): empty when the two warehouses hold the same."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{one}' AS one (READ_ONLY)")
        con.execute(f"ATTACH '{other}' AS other (READ_ONLY)")
        names = [r.removeprefix("one.") for r in relations(con, "one")]
        assert names == [r.removeprefix("other.") for r in relations(con, "other")]
        found = {}
        for name in names:
            rows = [
                f"SELECT * EXCLUDE (built_at) FROM {db}.{name}"
                if name == '"meta"."build"'
                else f"SELECT * FROM {db}.{name}"
                for db in ("one", "other")
            ]
            only = [
                con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()[0][0]
                for a, b in (rows, rows[::-1])
            ]
            if any(only):
                found[name] = (only[0], only[1])
        return found


def test_a_build_computes_only_the_changed_table_and_equals_a_full_build(
    all_samples_home: Path, tmp_path: Path
) -> None:
    paths = home_like(all_samples_home, tmp_path / "nightly", warehouse_of=all_samples_home)
    deliver_revision(paths)

    result = build_warehouse(paths, catalog.DATASETS)

    tables = {(e.source, e.source_table) for e in committed_entries(paths.lake)}
    assert result.reuse.tables == tables - {("regio", "12411-01-01-4")}
    assert "reuse" in result.seconds
    assert result.versioned() == (
        f"versions of 1 of {len(tables)} tables computed (the others kept from the previous warehouse)"
    )
    # the same lake and the warehouse of before the revision, built with --full
    full = home_like(paths.home, tmp_path / "full", warehouse_of=all_samples_home)
    built = CliRunner().invoke(app, ["build", "--full", "--home", str(full.home)], env={"COLUMNS": "300"})
    assert built.exit_code == 0, built.output
    assert f"versions of all {len(tables)} tables computed (a full build)" in built.output
    assert differences(paths.warehouse, full.warehouse) == {}
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        frankfurt = con.execute(
            "SELECT value, synthetic FROM core.current_observations WHERE source_table = '12411-01-01-4' "
            "AND region_code = '06412' AND ref_date = DATE '2024-12-31' AND sex = 'total'"
        ).fetchall()
    assert frankfurt == [(756100.0, True)]


def test_the_versions_of_a_warehouse_someone_wrote_to_are_computed_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = two_tables(tmp_path)
    frankfurt = "source_table = '12411-01-01-4' AND region_code = '06412' AND ref_date = DATE '2024-12-31'"
    with duckdb.connect(str(paths.warehouse)) as con:  # an analyst who opened it read-write
        published = con.execute(f"SELECT sum(value) FROM core.current_observations WHERE {frankfurt}").fetchall()
        con.execute(f"UPDATE core.observations SET value = value + 1 WHERE {frankfurt}")

    with caplog.at_level(logging.WARNING, logger="demografie.warehouse.reuse"):
        result = build_warehouse(paths, catalog.DATASETS)

    assert result.reuse.tables == {("regio", "13111-01-03-4")}
    assert "the versions of regio 12411-01-01-4 in" in caplog.text
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rebuilt = con.execute(f"SELECT sum(value) FROM core.current_observations WHERE {frankfurt}").fetchall()
    assert rebuilt == published


def test_a_warehouse_held_open_for_writing_means_a_full_build(tmp_path: Path) -> None:
    paths = two_tables(tmp_path)
    before = duckdb.connect(str(paths.warehouse), read_only=True)
    versions = before.execute("SELECT count(*) FROM core.observations").fetchall()
    before.close()
    paths.warehouse.with_name(paths.warehouse.name + ".wal").write_bytes(b"")  # left by a writer

    result = build_warehouse(paths, catalog.DATASETS)

    assert result.reuse.tables == frozenset()
    assert result.versioned() == (
        f"versions of all {result.tables} tables computed (warehouse.duckdb was opened for writing "
        "(it has a write-ahead log))"
    )
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.observations").fetchall() == versions


def test_the_build_changes_a_copy_and_never_the_live_file(tmp_path: Path) -> None:
    paths = two_tables(tmp_path)
    held = tmp_path / "held.duckdb"  # the live file's bytes, as an analyst's open handle still sees them
    os.link(paths.warehouse, held)
    before = hashlib.sha256(held.read_bytes()).hexdigest()
    deliver_revision(paths)

    result = build_warehouse(paths, catalog.DATASETS)

    assert result.reuse.tables == {("regio", "13111-01-03-4")}
    assert hashlib.sha256(held.read_bytes()).hexdigest() == before
    assert not os.path.samefile(held, paths.warehouse)


def test_a_live_file_that_cannot_be_opened_means_a_full_build(tmp_path: Path) -> None:
    paths = two_tables(tmp_path)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        versions = con.execute("SELECT count(*) FROM core.observations").fetchall()
    paths.warehouse.write_bytes(paths.warehouse.read_bytes()[:4096])  # torn: a copy taken mid-write

    result = build_warehouse(paths, catalog.DATASETS)

    assert result.reuse.tables == frozenset()
    assert result.versioned().startswith(
        f"versions of all {result.tables} tables computed (warehouse.duckdb cannot be opened as a copy ("
    )
    assert [p.name for p in paths.warehouse.parent.iterdir() if ".building" in p.name] == []
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.observations").fetchall() == versions

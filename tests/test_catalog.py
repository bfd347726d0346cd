"""The catalog as data: demografie/catalog.toml checked on load with errors that name the entry, a
user catalog merged over it, and a table of a known publisher outside both loaded as published."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from demografie import catalog
from demografie.catalog import CatalogError, parse_catalog
from demografie.devserver.server import GenesisServer
from demografie.devserver.synthetic import write_annual_table
from tests.support import REPO

# the README's example, verbatim: a Regionaldatenbank table the shipped catalog does not have (code and
# title as the Regionaldatenbank's table list gives them, 1995-2021)
USER_ENTRY = """
[[dataset]]
name = "migration_nationality"
topic = "movement"
source = "regio"
table = "12711-05-02-4"
title = "Zu- und Fortzüge (über Kreisgrenzen) nach Geschlecht und Nationalität, Jahressumme, Kreise und krfr. Städte"
measures = "migration"
first_year = 1995
"""


def test_the_shipped_catalog_loads_every_dataset_with_its_licence() -> None:
    assert len(catalog.DATASETS) == 51
    assert len({d.name for d in catalog.DATASETS}) == 51
    assert all(d.licence and d.precedence for d in catalog.DATASETS)
    assert catalog.find("12411-01-01-4").measures == {"BEVSTD": "population"}


def test_the_readme_shows_the_user_catalog_entry_the_tests_load() -> None:
    assert USER_ENTRY.strip() in (REPO / "README.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('name = "x"\ntopic = "t"', "my.toml: dataset x: lacks source, table, title, measures, first_year"),
        (
            USER_ENTRY.replace("first_year = 1995", "first_year = 1995\ncolour = 'red'"),
            "my.toml: dataset migration_nationality: unknown field(s) colour; known: name, topic",
        ),
        (
            USER_ENTRY.replace('"migration"', '"migrations"'),
            "my.toml: dataset migration_nationality: no measure map 'migrations'; known: ",
        ),
        (
            USER_ENTRY.replace('"regio"', '"bayern"'),
            "my.toml: dataset migration_nationality: unknown publisher 'bayern'; known: regio, destatis",
        ),
        (
            USER_ENTRY.replace("12711-05-02-4", "12711/../x"),
            "my.toml: dataset migration_nationality: migration_nationality: '12711/../x' is not a table code",
        ),
        (USER_ENTRY.replace("1995", '"1995"'), "my.toml: dataset migration_nationality: first_year must be whole"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_file_and_the_entry(entry: str, message: str) -> None:
    text = entry if entry.lstrip().startswith("[[dataset]]") else f"[[dataset]]\n{entry}"
    with pytest.raises(CatalogError) as refused:
        parse_catalog(text, "my.toml", {"migration": {"*": "*"}})
    assert str(refused.value).startswith(message)


def test_a_table_outside_the_catalog_is_loaded_as_published() -> None:
    found = catalog.find("12711-05-02-4")
    assert (found.name, found.topic, found.source, found.measures) == ("12711-05-02-4", "other", "regio", {"*": "*"})
    assert found.notes.startswith("Not in the catalog: its value variables keep the publisher's codes as measures")
    assert catalog.find("12613-030Z").access is catalog.Access.DOWNLOAD  # Sachsen's own codes
    with pytest.raises(catalog.UnknownDatasetError):
        catalog.find("population_of_mars")


@pytest.fixture
def migration_publisher(tmp_path: Path) -> Iterator[GenesisServer]:
    contents = (("SYN001", "Zuzüge"), ("SYN002", "Fortzüge"))
    root = write_annual_table(
        tmp_path / "publisher", "12711-05-02-4", ("12711", "Wanderungsstatistik"), contents, range(2022, 2025)
    )
    with GenesisServer(root, "analyst", "pw-for-tests") as server:
        yield server


@pytest.mark.integration
def test_a_table_added_in_the_user_catalog_runs_end_to_end(migration_publisher: GenesisServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.toml").write_text(USER_ENTRY, "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {
        "DEMOGRAFIE_HOME": str(home),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "COLUMNS": "200",
        "GENESIS_REGIO_URL": migration_publisher.base_url,
        "GENESIS_REGIO_USERNAME": "analyst",
        "GENESIS_REGIO_PASSWORD": "pw-for-tests",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "demografie.cli",
            "run",
            "-d",
            "migration_nationality",
            "--from-year",
            "2022",
            "--to-year",
            "2024",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT measure, count(*), bool_and(synthetic) FROM core.observations "
            "WHERE dataset = 'migration_nationality' GROUP BY measure ORDER BY measure"
        ).fetchall()
        listed = con.execute("SELECT source_table, topic FROM meta.datasets WHERE name = 'migration_nationality'")
        assert listed.fetchall() == [("12711-05-02-4", "movement")]
    kreise = 39 * 3 * 3  # Kreise x years x (total, male, female)
    assert rows == [("moves_in", kreise, True), ("moves_out", kreise, True)]


def test_every_publisher_is_one_entry_of_the_registry() -> None:
    from demografie.flows.deploy import LIMITS
    from demografie.registry import REGISTRY
    from demografie.sources.publishers import PUBLISHERS
    from demografie.sources.webdownload import ROUTES

    assert sorted(REGISTRY) == ["bbsr", "bkg", "destatis", "hessen", "regio", "sachsen", "zensus"]
    # every publisher of figures has tables in the catalog; the reference ones have none
    assert {d.source for d in catalog.DATASETS} == set(REGISTRY) - {"bbsr", "bkg"}
    assert (REGISTRY["bkg"].attribution, REGISTRY["bbsr"].attribution) == (
        "© BKG ({year}) dl-de/by-2-0",
        "© BBSR Bonn {year}, dl-de/by-2-0",
    )
    assert sorted(PUBLISHERS) == ["destatis", "regio", "zensus"] and sorted(ROUTES) == ["sachsen"]
    assert {
        f"demografie-{k}": n for k, n in (("regio", 1), ("destatis", 3), ("zensus", 1), ("sachsen", 1), ("writer", 1))
    } == LIMITS


BAYERN = 'key = "bayern"\nname = "LfStat"\nlicence = "x"\nprecedence = 9\nprecedence_reason = "y"'


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            f'{BAYERN}\nroute = "genesis"',
            "p.toml: publisher bayern: a genesis publisher needs base_url, env_prefix",
        ),
        (
            f'{BAYERN}\nroute = "ftp"',
            "p.toml: publisher bayern: route 'ftp' is none of genesis, web-download, file, reference",
        ),
        ('key = "bayern"\nname = "LfStat"', "p.toml: publisher bayern: lacks route, licence"),
        (
            'key = "bayern"\nname = "LfStat"\nlicence = "x"\nroute = "file"',
            "p.toml: publisher bayern: a publisher of figures lacks precedence, precedence_reason",
        ),
        (
            f'{BAYERN}\nroute = "reference"',
            "p.toml: publisher bayern: a reference publisher has no figures, so no precedence, precedence_reason",
        ),
    ],
)
def test_a_bad_publisher_entry_is_refused_naming_it(entry: str, message: str) -> None:
    from demografie.registry import RegistryError, parse_registry

    with pytest.raises(RegistryError) as refused:
        parse_registry(f"[[publisher]]\n{entry}\n", "p.toml")
    assert str(refused.value).startswith(message)


NEWER_THAN_THE_SNAPSHOT = {"1000A-0000"}  # the Zensus 2022 database's table, published after it


def test_every_shipped_table_code_is_one_its_publisher_lists() -> None:
    from demografie.reference import CATALOGUES, listed_tables

    listed = {source: {entry.code for entry in listed_tables(source)} for source in CATALOGUES}
    shipped = catalog.load_datasets(None)
    unknown = [
        f"{d.name} ({d.table})"
        for d in shipped
        if d.source in listed and d.table not in listed[d.source] and d.table not in NEWER_THAN_THE_SNAPSHOT
    ]
    assert unknown == []
    assert {d.source for d in shipped} >= set(CATALOGUES)

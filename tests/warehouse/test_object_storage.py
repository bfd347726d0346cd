"""Raw answers and the lake in an S3-compatible object store, shared by two machines.

The store is a real S3 protocol server (moto's) on 127.0.0.1, reached through pyarrow's S3 file
system exactly as a MinIO or Ceph bucket would be. Each "machine" has its own data home (its
warehouse, run log and lock); both point DEMOGRAFIE_STORAGE at the same bucket.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.fs as pafs
import pytest
from moto.server import ThreadedMotoServer

from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.storage import StorageLocationError, Store
from tests.support import POPULATION, sample_path

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]
BUCKET = "demografie"


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty bucket; yields the storage URI (credentials only in the environment)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "object-store-user")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "object-store-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        uri = f"s3://{BUCKET}/shared?endpoint_override={host}:{port}&scheme=http&region=eu-central-1"
        filesystem, _ = pafs.FileSystem.from_uri(f"{uri}&allow_bucket_creation=true")
        filesystem.create_dir(BUCKET)
        yield uri
    finally:
        server.stop()


def objects(uri: str) -> list[str]:
    store = Store.at(uri)
    return store.keys("")


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_two_machines_share_raw_and_lake_in_an_object_store(
    publisher: GenesisServer, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMOGRAFIE_STORAGE", bucket)
    first = nightly(datasets=["population"], as_of=date(2025, 12, 31), home=str(tmp_path / "host-a"))
    assert [t.outcome for t in first.tables] == ["loaded"]

    stored = objects(bucket)
    assert [k for k in stored if k.startswith("raw/regio/12411-01-01-4/")] and all(
        not k.rsplit("/", 1)[-1].startswith(".") for k in stored
    )
    assert sum(k.startswith("lake/observations/source=regio/source_table=12411-01-01-4/") for k in stored) == 1
    assert sum(k.startswith("lake/manifest/regio/12411-01-01-4/") for k in stored) == 1
    assert not (tmp_path / "host-a" / "lake").exists() and not (tmp_path / "host-a" / "raw").exists()

    # The second machine holds nothing locally: it learns the vintage from the shared lake, so the
    # publisher answers "nothing newer", and it builds the same warehouse from the bucket.
    second = nightly(datasets=["population"], as_of=date(2025, 12, 31), home=str(tmp_path / "host-b"))
    assert [t.outcome for t in second.tables] == ["unchanged"]
    assert objects(bucket) == stored
    figures = "SELECT region_code, ref_date, sex, value FROM core.current_observations ORDER BY ALL"
    on_a, on_b = query(tmp_path / "host-a", figures), query(tmp_path / "host-b", figures)
    assert on_a == on_b and len(on_a) > 100
    female_in_hessen = "SELECT sum(value) FROM core.current_observations WHERE state = '06' AND sex = 'female'"
    assert query(tmp_path / "host-b", female_in_hessen) == [(published_female_in_hessen(),)]


def published_female_in_hessen() -> float:
    """From the recorded flat file, read with the csv module."""
    with sample_path(POPULATION).open(encoding="utf-8-sig", newline="") as handle:
        return float(
            sum(
                int(row["value"])
                for row in csv.DictReader(handle, delimiter=";")
                if row["1_variable_attribute_code"].startswith("06") and row["2_variable_attribute_code"] == "GESW"
            )
        )


def test_a_location_with_credentials_is_refused() -> None:
    for uri in (
        "s3://AKIA123:topsecret@bucket/prefix",
        "s3://bucket/prefix?access_key=AKIA123&secret_key=topsecret",
    ):
        with pytest.raises(StorageLocationError, match="carries credentials") as caught:
            Store.at(uri)
        assert "topsecret" not in str(caught.value)


def test_keys_must_stay_inside_the_store(tmp_path: Path) -> None:
    store = Store.at(tmp_path)
    with pytest.raises(StorageLocationError, match="not a plain relative path"):
        store.write_bytes("../outside.csv", b"x")
    assert not (tmp_path.parent / "outside.csv").exists()

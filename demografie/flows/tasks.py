"""The Prefect tasks of the pipeline. Each is a thin step over the layers below; they pass file
paths and small records between them, never connections or table contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from demografie import catalog
from demografie.catalog import Dataset
from demografie.flows import progress
from demografie.settings import Paths
from demografie.sources import archive
from demografie.sources.credentials import Credentials
from demografie.sources.errors import TransientSourceError
from demografie.sources.genesis import GenesisClient, RetryPolicy, TableRequest
from demografie.sources.landing import land
from demografie.sources.publishers import PUBLISHERS
from demografie.transforms.normalise import Provenance
from demografie.warehouse.build import build_warehouse
from demografie.warehouse.deliveries import load_delivery


@dataclass(frozen=True)
class Extracted:
    dataset: str
    table: str
    raw_file: str
    vintage: datetime
    retrieved_at: datetime
    decimal: str | None


@dataclass(frozen=True)
class TableOutcome:
    dataset: str
    table: str
    outcome: str  # loaded | unchanged | failed
    rows: int = 0
    first_date: str = ""
    last_date: str = ""
    vintage: str = ""
    message: str = ""


@dataclass(frozen=True)
class BuildSummary:
    warehouse: str
    deliveries: int
    observation_versions: int
    current_observations: int
    warnings: list[str]


def client_for(publisher_key: str) -> GenesisClient:
    publisher = PUBLISHERS[publisher_key].from_env()
    credentials = Credentials.from_env(publisher.env_prefix)
    return GenesisClient(publisher, credentials, retry=RetryPolicy.from_env())


def _transient_only(task: Any, task_run: Any, state: Any) -> bool:
    return isinstance(state.result(raise_on_failure=False), TransientSourceError)


@task(name="check-login", cache_policy=NO_CACHE)
def check_login(publisher_key: str) -> None:
    client_for(publisher_key).logincheck()
    get_run_logger().info("%s: credentials accepted", publisher_key)


@task(
    name="extract",
    task_run_name="extract {dataset_name}",
    retries=1,
    retry_delay_seconds=60,
    retry_jitter_factor=0.5,
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
)
def extract(dataset_name: str, start_year: int, end_year: int, home: str) -> Extracted:
    """Ask for the table's vintage and its flat file, and land the answer byte-exact."""
    dataset = catalog.find(dataset_name)
    client = client_for(dataset.source)
    progress.report("fetch", f"{dataset.table} {start_year}-{end_year}")
    metadata = client.table_metadata(dataset.table)
    download = client.tablefile(TableRequest(dataset.table, start_year, end_year))
    vintage = metadata.updated or download.retrieved_at
    landed = land(
        Paths.from_env(home).raw,
        publisher=dataset.source,
        table=dataset.table,
        content=download.content,
        retrieved_at=download.retrieved_at,
        vintage=metadata.updated,
        origin={"url": download.url, "params": download.params, "content_type": download.content_type},
        suffix=".zip" if archive.is_zip(download.content) else ".csv",
    )
    get_run_logger().info("%s: %d bytes, vintage %s", dataset.table, len(download.content), vintage)
    return Extracted(dataset.name, dataset.table, str(landed.path), vintage, download.retrieved_at, ",")


@task(name="load", task_run_name="load {extracted.table}", cache_policy=NO_CACHE)
def load(extracted: Extracted, home: str, states: list[str], load_id: str, synthetic: bool) -> TableOutcome:
    """Parse, normalise and commit one landed answer to the lake."""
    dataset = catalog.find(extracted.dataset)
    paths = Paths.from_env(home)
    raw = Path(extracted.raw_file).read_bytes()
    flat = archive.unpack_single(raw).data if archive.is_zip(raw) else raw
    written = load_delivery(
        paths.lake,
        dataset,
        flat,
        _provenance(dataset, extracted, load_id, synthetic),
        states,
        raw_file=str(Path(extracted.raw_file).relative_to(paths.home)),
        decimal=extracted.decimal,
    )
    entry = written.entry
    outcome = "loaded" if written.written else "unchanged"
    progress.report(outcome, f"{dataset.table}: {entry.rows} observations")
    get_run_logger().info("%s: %s, %d observations", dataset.table, outcome, entry.rows)
    return TableOutcome(
        dataset.name, dataset.table, outcome, entry.rows, entry.first_ref_date, entry.last_ref_date, entry.vintage
    )


def _provenance(dataset: Dataset, extracted: Extracted, load_id: str, synthetic: bool) -> Provenance:
    return Provenance(
        dataset=dataset.name,
        source=dataset.source,
        source_table=dataset.table,
        vintage=extracted.vintage,
        retrieved_at=extracted.retrieved_at,
        load_id=load_id,
        synthetic=synthetic,
    )


@task(name="build-warehouse", cache_policy=NO_CACHE)
def build(home: str) -> BuildSummary:
    """Build a new warehouse file from the lake, check it, swap it in."""
    progress.report("build", "warehouse from the lake")
    result = build_warehouse(Paths.from_env(home), catalog.DATASETS)
    warnings = [c.describe() for c in result.checks if c.failed]
    for warning in warnings:
        get_run_logger().warning(warning)
    progress.report("built", f"{result.path} ({result.current_observations} current observations)")
    return BuildSummary(
        str(result.path), result.deliveries, result.observation_versions, result.current_observations, warnings
    )

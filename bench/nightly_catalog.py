"""The whole catalog for `bench.nightly`: a publisher that answers status 50 for every API table,
a data home whose lake holds one synthetic delivery of each, and the cost of the two HTTP round
trips a table takes, measured apart."""

from __future__ import annotations

import hashlib
import statistics
import time
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import requests

from demografie import catalog
from demografie.catalog import Access, Dataset
from demografie.devserver.synthetic import VINTAGE, snapshot_variables, write_metadata
from demografie.flows.nightly import year_window
from demografie.settings import Paths
from demografie.sources.genesis import format_stand
from demografie.transforms.schema import OBSERVATION_SCHEMA
from demografie.warehouse.build import build_warehouse
from demografie.warehouse.lake import write_delivery

AS_OF = date(2024, 12, 31)
ROUTES = ("GENESIS_REGIO", "GENESIS_DESTATIS", "GENESIS_ZENSUS")
HTTP_ROUNDS = 5
PLACEHOLDER = b"not served: every request of this bench carries the Stand held, answered by status 50\n"


def catalog_variables(base_url: str) -> dict[str, str]:
    return snapshot_variables(base_url, ROUTES)


def api_datasets() -> list[Dataset]:
    """The catalog's tables that the nightly run asks of a GENESIS server."""
    return [d for d in catalog.select(None) if d.access is Access.API]


def catalog_publisher(root: Path, datasets: list[Dataset]) -> Path:
    for dataset in datasets:
        folder = root / ("tablecsv" if dataset.api_format == "csv" else "tablefile")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{dataset.table}.csv").write_bytes(PLACEHOLDER)
        start, end = year_window(dataset, AS_OF, None, None)
        write_metadata(root, dataset.table, "31.12.", range(start, end + 1))
    return root


def catalog_home(home: Path, datasets: list[Dataset]) -> Path:
    """One synthetic delivery per table, of the publisher's vintage and covering the run's years,
    and the warehouse built from them."""
    paths = Paths.from_env(home)
    paths.ensure()
    vintage = datetime.strptime(VINTAGE.rstrip("h"), "%d.%m.%Y %H:%M:%S")
    for dataset in datasets:
        years = year_window(dataset, AS_OF, None, None)
        digest = hashlib.sha256(f"bench.nightly {dataset.table}".encode()).hexdigest()
        write_delivery(
            paths.lake, _one_figure(dataset, years, vintage), content_sha256=digest, raw_file="", years=years
        )
    build_warehouse(paths, catalog.DATASETS)
    return home


def _one_figure(dataset: Dataset, years: tuple[int, int], vintage: datetime) -> pa.Table:
    source_measure, measure = next(iter(dataset.measures.items()))
    row = {
        "dataset": dataset.name,
        "measure": measure,
        "region_code": "06",
        "region_level": "land",
        "region_name": "Hessen",
        "state": "06",
        "ref_date": date(years[1], 12, 31),
        "period_type": "stichtag",
        "sex": "total",
        "age_from": None,
        "age_to": None,
        "nationality": "total",
        "value": 1.0,
        "unit": "Anzahl",
        "status": None,
        "quality": None,
        "source": dataset.source,
        "source_table": dataset.table,
        "source_measure": source_measure,
        "source_dims": [],
        "vintage": vintage,
        "retrieved_at": vintage,
        "load_id": "bench-nightly-catalog",
        "synthetic": True,
    }
    return pa.Table.from_pylist([row], schema=OBSERVATION_SCHEMA)


def round_trips(base_url: str, datasets: list[Dataset]) -> float:
    """Seconds per table of its two requests (metadata/table, then data/tablefile with the Stand
    held, answered by status 50) on one keep-alive session: the median of HTTP_ROUNDS passes."""
    stand = format_stand(datetime.strptime(VINTAGE.rstrip("h"), "%d.%m.%Y %H:%M:%S"))
    headers = {"username": "demo", "password": "demo"}
    passes = []
    with requests.Session() as session:
        for _ in range(HTTP_ROUNDS):
            started = time.perf_counter()
            for dataset in datasets:
                form = {"name": dataset.table, "format": dataset.api_format}
                session.post(f"{base_url}/metadata/table", data=form, headers=headers, timeout=10).raise_for_status()
                answer = session.post(
                    f"{base_url}/data/tablefile", data=form | {"stand": stand}, headers=headers, timeout=10
                )
                if answer.json()["Status"]["Code"] != 50:
                    raise RuntimeError(f"{dataset.table}: expected status 50, got {answer.content[:200]!r}")
            passes.append((time.perf_counter() - started) / len(datasets))
    return statistics.median(passes)

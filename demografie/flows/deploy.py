"""Production on a Prefect server: the work pool, the global concurrency limits, the deployments.

`register` does what `demografie deploy` promises: it refuses without a configured server (never
a temporary one), creates the process work pool and the publisher limits if they are missing, and
registers the deployments of prefect.yaml. `serve` is the one-process alternative for a single
machine: the same three deployments, run by this process itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from prefect import serve as prefect_serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

import demografie
from demografie.errors import FlowError
from demografie.flows.runs import WRITER_LIMIT
from demografie.registry import FETCHED, REGISTRY

WORK_POOL = "demografie"
NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Europe/Berlin"
# Requests at once per publisher host, across every run and worker (status 6 answers more: the
# publisher declares its limit), one at a time to a web download, and one writer of the shared data
# home at a time, across machines.
LIMITS = {
    **{f"demografie-{e.key}": e.max_parallel_requests for e in REGISTRY.values() if e.route in FETCHED},
    WRITER_LIMIT: 1,
}


class DeployError(FlowError, RuntimeError):
    pass


@dataclass(frozen=True)
class Registered:
    api_url: str
    work_pool: str
    created: list[str]
    deployments: str


def code_dir() -> Path:
    """The folder that holds the `demografie` package: the working directory of flow runs."""
    return Path(demografie.__file__).resolve().parent.parent


def register(prefect_file: Path | None = None, work_pool: str = WORK_POOL) -> Registered:
    api_url = PREFECT_API_URL.value()
    if not api_url:
        raise DeployError(
            "no Prefect server configured: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api) to the "
            "server that should run the deployments"
        )
    prefect_file = prefect_file or code_dir() / "prefect.yaml"
    if not prefect_file.is_file():
        raise DeployError(f"{prefect_file} not found; deploy from a checkout of demografie")
    created = _ensure_pool(work_pool) + _ensure_limits()
    result = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_file)],
        cwd=prefect_file.parent,
        env={**os.environ, "DEMOGRAFIE_CODE_DIR": str(code_dir())},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DeployError(f"prefect deploy failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return Registered(str(api_url), work_pool, created, result.stdout)


def _ensure_pool(name: str) -> list[str]:
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return []
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
            return [f"work pool {name} (process)"]


def _ensure_limits() -> list[str]:
    created = []
    with get_client(sync_client=True) as client:
        for name, limit in LIMITS.items():
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))
                created.append(f"global concurrency limit {name} = {limit}")
    return created


def _take_over_from_the_work_pool(names: tuple[str, ...]) -> None:
    """Delete the deployments of these names that `demografie deploy` registered on a work pool.

    Serving upserts a deployment of the same name but keeps the pull steps of the registered one,
    so its runs would crash looking for code in a storage it does not use (seen with Prefect 3.9).
    """
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                registered = client.read_deployment_by_name(f"{name}/{name}")
            except ObjectNotFound:
                continue
            if registered.work_pool_name:
                client.delete_deployment(registered.id)
                print(f"{name}: the deployment on work pool {registered.work_pool_name} is replaced by this process")


def serve() -> None:
    """Run the three deployments from this process (the nightly one on its schedule)."""
    from demografie.flows.backfill import backfill
    from demografie.flows.ingest import ingest
    from demografie.flows.nightly import nightly

    _ensure_limits()
    _take_over_from_the_work_pool(("nightly", "backfill", "ingest"))
    schedule = Cron(NIGHTLY_CRON, timezone=TIMEZONE)
    deployments = [
        nightly.to_deployment(name="nightly", schedules=[schedule], concurrency_limit=1),
        backfill.to_deployment(name="backfill"),
        ingest.to_deployment(name="ingest"),
    ]
    prefect_serve(*(cast(RunnerDeployment, d) for d in deployments))  # deployments, not coroutines, in sync code

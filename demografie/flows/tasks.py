"""The Prefect tasks of the pipeline. Each is a thin step over the layers below; they pass file
paths and small records between them, never connections or table contents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache, partial
from typing import Any, ParamSpec, TypeVar, cast

from prefect import Task, get_run_logger, task
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound

from demografie import catalog, progress
from demografie.settings import Settings
from demografie.tuning import RECHECK_DAYS
from demografie.usecases import clients
from demografie.usecases.fetch import Extracted, Unchanged, download_table, fetch_table
from demografie.usecases.load import LoadRequest, TableOutcome, load_extracted
from demografie.usecases.rebuild import BuildSummary, rebuild

FETCH_TIMEOUT_SECONDS = 3600
LOAD_TIMEOUT_SECONDS = 1800
P = ParamSpec("P")
R = TypeVar("R")


def prefect_secret(name: str) -> str | None:
    """The value of the Prefect Secret block `name`; None when there is none."""
    try:
        block = cast(Secret[str], Secret.load(name))  # a block, not a coroutine, when called from sync code
    except (ValueError, ObjectNotFound):
        return None
    return str(block.get())


# Where a run finds a publisher's credentials: the environment, then Prefect Secret blocks.
credentials_lookup: clients.CredentialsLookup = partial(clients.credentials_lookup, secret=prefect_secret)


def publisher_slot(source: str) -> AbstractContextManager[None]:
    """One slot of the publisher's Prefect global concurrency limit `demografie-<source>` (1 for the
    Regionaldatenbank, 3 for Destatis, created by `demografie deploy`), across every run and
    worker on the server. Without such a limit (a local run) nothing waits and nothing is asked."""
    return global_slot(f"demografie-{source}")


@contextmanager
def global_slot(name: str, timeout_seconds: float | None = None) -> Iterator[None]:
    """A slot of the Prefect global concurrency limit `name` if the server has one; else nothing."""
    if not _limit_exists(name):
        yield
        return
    with concurrency(name, occupy=1, timeout_seconds=timeout_seconds, strict=True):
        yield


@cache
def _limit_exists(name: str) -> bool:
    # asked once per process: acquiring a slot of a missing limit costs a server lookup every time
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            return False
    return True


def _transient_only(task: Any, task_run: Any, state: Any) -> bool:
    return clients.may_pass(state.result(raise_on_failure=False))


def fetch_task(name: str) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A task that talks to a publisher: one more try, a minute later, after a failure that may pass
    (the HTTP layer has already retried within seconds)."""
    return task(
        name=name,
        task_run_name=f"{name} {{dataset_name}}",
        retries=1,
        retry_delay_seconds=60,
        retry_jitter_factor=0.5,
        retry_condition_fn=_transient_only,
        # a background job may take 50 minutes (DEMOGRAFIE_JOB_TIMEOUT_SECONDS); a fetch that hangs
        # beyond that is stopped
        timeout_seconds=FETCH_TIMEOUT_SECONDS,
        cache_policy=NO_CACHE,
    )


@task(name="check-login", cache_policy=NO_CACHE)
def check_login(publisher_key: str, settings: Settings) -> None:
    clients.genesis_client(publisher_key, settings, credentials_lookup).logincheck()
    get_run_logger().info("%s: credentials accepted", publisher_key)


@fetch_task("extract")
def extract(
    dataset_name: str,
    start_year: int,
    end_year: int,
    settings: Settings,
    states: list[str] | None = None,
    force: bool = False,
) -> Extracted | Unchanged:
    """usecases.fetch.fetch_table in a task: the publisher's slot, the run's logger."""
    dataset = catalog.of(settings).find(dataset_name)
    client = clients.genesis_client(dataset.source, settings, credentials_lookup)
    progress.report("fetch", f"{dataset.table} {start_year}-{end_year}")
    fetcher = clients.table_fetcher(client, states or list(settings.states), settings)
    return fetch_table(
        dataset,
        client,
        fetcher,
        settings.paths,
        (start_year, end_year),
        force=force,
        recheck_days=settings.tuned(RECHECK_DAYS),
        slot=lambda: publisher_slot(dataset.source),
        log=get_run_logger(),
    )


@fetch_task("download")
def download(dataset_name: str, settings: Settings) -> Extracted:
    """usecases.fetch.download_table in a task."""
    dataset = catalog.of(settings).find(dataset_name)
    client = clients.download_client(dataset.source, settings)
    progress.report("fetch", f"{dataset.table} (web download)")
    return download_table(
        dataset, client, settings.paths, slot=lambda: publisher_slot(dataset.source), log=get_run_logger()
    )


@task(name="load", task_run_name="load {extracted.table}", timeout_seconds=LOAD_TIMEOUT_SECONDS, cache_policy=NO_CACHE)
def load(extracted: Extracted, settings: Settings, states: list[str], load_id: str, synthetic: bool) -> TableOutcome:
    """usecases.load.load_extracted in a task: the run's progress lines and logger."""
    dataset = catalog.of(settings).find(extracted.dataset)
    request = LoadRequest(load_id, states, synthetic, settings.max_unpacked_bytes)
    loaded = load_extracted(extracted, dataset, settings.paths, request)
    said = loaded.message or f"{loaded.rows} observations"
    progress.report(loaded.outcome, f"{dataset.table}: {said}")
    get_run_logger().info("%s: %s, %s", dataset.table, loaded.outcome, said)
    return loaded


@task(name="build-warehouse", cache_policy=NO_CACHE)
def build(settings: Settings) -> BuildSummary:
    """Build a new warehouse file from the lake, check it, swap it in."""
    progress.report("build", "warehouse from the lake")
    rebuilt = rebuild(settings)
    for note in rebuilt.notes:
        progress.report("remapped", note)
        get_run_logger().warning(note)
    summary = rebuilt.summary()
    for warning in summary.warnings:
        get_run_logger().warning(warning)
    progress.report("built", rebuilt.said())
    return summary

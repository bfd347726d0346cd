"""Every publisher fault of docs/reliability.md, injected through the local GENESIS server into a
nightly run of two tables: the faulty one is retried where that can help and otherwise fails
alone, with a message naming publisher, table and cause; the other one loads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

from demografie.devserver.server import GenesisServer
from demografie.flows.nightly import nightly
from demografie.flows.runs import RunFailedError
from demografie.usecases.runlog import RunSummary
from tests.reliability import FAULT_CASES, TABLE, FaultCase

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]
OTHER = "13111-01-03-4"


def run(home: Path) -> tuple[RunSummary, bool]:
    try:
        return nightly(datasets=["population", "employees_workplace"], as_of=date(2025, 12, 31), home=str(home)), False
    except RunFailedError as failed:
        return failed.summary, True


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def published_tables(load_id: str) -> list[dict[str, Any]]:
    with get_client(sync_client=True) as client:
        (flow_run,) = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(load_id)])))
        assert flow_run.state is not None and flow_run.state.type.value == "FAILED"
        key = ArtifactFilterKey(any_=["nightly-tables"])
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=key))
    (artifact,) = [a for a in artifacts if a.flow_run_id == flow_run.id]
    assert isinstance(artifact.data, str)
    rows: list[dict[str, Any]] = json.loads(artifact.data)
    return rows


@pytest.mark.parametrize("case", FAULT_CASES, ids=[case.name for case in FAULT_CASES])
def test_publisher_fault(
    case: FaultCase, publisher: GenesisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.settings.items():
        monkeypatch.setenv(name, value)
    publisher.inject(*case.faults())

    summary, failed = run(tmp_path)

    outcomes = {t.table: t for t in summary.tables}
    assert outcomes[OTHER].outcome == "loaded"
    assert outcomes[TABLE].outcome == case.outcome, outcomes[TABLE].message
    tables = {row for (row,) in query(tmp_path, "SELECT DISTINCT source_table FROM core.observations")}
    if case.outcome == "loaded":
        assert not failed and tables == {TABLE, OTHER}
        assert not publisher.state.faults  # the fault was met, so the table loaded on a retry
        return
    message = outcomes[TABLE].message
    assert failed and message.startswith(f"regio: table {TABLE}: "), message
    assert case.cause in message, message
    assert tables == {OTHER}
    assert not (tmp_path / "lake" / "manifest" / "regio" / TABLE).exists()
    published = {row["table"]: row for row in published_tables(summary.load_id)}
    assert (published[TABLE]["outcome"], published[TABLE]["message"]) == ("failed", message)
    assert published[OTHER]["outcome"] == "loaded"

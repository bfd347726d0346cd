"""Production as data engineers run it: a real `prefect server` on 127.0.0.1, `demografie deploy`,
two process workers on one work pool, the nightly and a backfill triggered through the API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import requests

from demografie.devserver.server import GenesisServer
from demografie.devserver.synthetic import write_snapshot
from demografie.settings import Paths

pytestmark = pytest.mark.integration

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false",  # a host without a server must fail loudly
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GENESIS_", "DEMOGRAFIE_"))}
    env |= QUIET | {"PREFECT_HOME": str(home)}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = prefect_env(home, api_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{api_url}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the Prefect server did not start"
            time.sleep(0.5)
        yield api_url, env
    finally:
        process.terminate()
        process.wait(timeout=30)


def api(api_url: str, method: str, path: str, body: object = None) -> object:
    """One call of the server's REST API. A 503 is the SQLite-backed server busy (it says so under
    load): retried a few times, as Prefect's own client does."""
    for attempt in range(5):
        response = requests.request(method, f"{api_url}{path}", json=body, timeout=10)
        if response.status_code != 503 or attempt == 4:
            break
        time.sleep(1 + attempt)
    response.raise_for_status()
    return response.json()


def run(command: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_deploy_refuses_without_a_server(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "demografie.cli", "deploy"], prefect_env(tmp_path, None), timeout=60)
    assert result.returncode == 2
    assert "no Prefect server configured: set PREFECT_API_URL" in " ".join((result.stdout + result.stderr).split())


def test_nightly_and_backfill_on_a_real_server_with_two_workers(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api_url, env = server
    deployed = run([sys.executable, "-m", "demografie.cli", "deploy"], env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    nightly = api(api_url, "GET", "/deployments/name/nightly/nightly")
    assert isinstance(nightly, dict)
    schedule = nightly["schedules"][0]["schedule"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Europe/Berlin")
    assert nightly["work_pool_name"] == "demografie"
    limits = api(api_url, "POST", "/v2/concurrency_limits/filter", {})
    assert isinstance(limits, list)
    assert {(limit["name"], limit["limit"]) for limit in limits} >= {
        ("demografie-regio", 1),
        ("demografie-destatis", 3),
    }

    root = write_snapshot(tmp_path / "publisher", 2015, 2024)  # synthetic, and loaded as such
    home = tmp_path / "data"
    with GenesisServer(root) as publisher:
        worker_env = env | {
            "GENESIS_REGIO_URL": publisher.base_url,
            "GENESIS_REGIO_USERNAME": "demo",
            "GENESIS_REGIO_PASSWORD": "demo",
            "DEMOGRAFIE_HOME": str(home),
            "DEMOGRAFIE_LOCK_WAIT_SECONDS": "120",
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", "demografie", "--name", f"worker-{n}"],
                env=worker_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in (1, 2)
        ]
        try:
            runs = [
                run(
                    [
                        sys.executable,
                        "-m",
                        "prefect",
                        "deployment",
                        "run",
                        "nightly/nightly",
                        "-p",
                        'datasets=["population"]',
                        "-p",
                        "as_of=2024-12-31",
                        "-p",
                        "synthetic=true",
                    ],
                    env,
                ),
                run(
                    [
                        sys.executable,
                        "-m",
                        "prefect",
                        "deployment",
                        "run",
                        "backfill/backfill",
                        "-p",
                        "from_year=2015",
                        "-p",
                        "to_year=2019",
                        "-p",
                        'datasets=["population"]',
                        "-p",
                        "synthetic=true",
                    ],
                    env,
                ),
            ]
            assert all(r.returncode == 0 for r in runs), [r.stdout + r.stderr for r in runs]
            states = wait_for_runs(api_url, 2, timeout=240)
            assert states == ["COMPLETED", "COMPLETED"]
        finally:
            stopped = []
            for worker in workers:
                worker.send_signal(signal.SIGTERM)  # what systemd sends
            for worker in workers:
                worker.wait(timeout=60)
                stopped.append(worker.returncode)
    assert stopped == [0, 0]  # both workers stopped cleanly on SIGTERM

    with duckdb.connect(str(Paths.from_env(str(home)).warehouse), read_only=True) as con:
        years = con.execute("SELECT DISTINCT year(ref_date) FROM core.observations ORDER BY 1").fetchall()
        assert con.execute("SELECT DISTINCT synthetic FROM core.observations").fetchall() == [(True,)]
    assert [y for (y,) in years] == [2015, 2016, 2017, 2018, 2019, 2022, 2023, 2024]

    # the two runs, picked up by two workers, never wrote the data home at the same time
    log = [json.loads(line) for line in (home / "runs.jsonl").read_text("utf-8").splitlines()]
    assert sorted(entry["flow"] for entry in log) == ["backfill", "nightly"]
    first, second = sorted(log, key=lambda entry: entry["locked_at"])
    assert datetime.fromisoformat(first["finished_at"]) <= datetime.fromisoformat(second["locked_at"])

    artifacts = api(
        api_url, "POST", "/artifacts/filter", {"artifacts": {"key": {"any_": ["nightly-tables", "backfill-tables"]}}}
    )
    assert isinstance(artifacts, list)
    published = {a["key"]: json.loads(a["data"]) for a in artifacts}
    assert [(t["table"], t["outcome"]) for t in published["nightly-tables"]] == [("12411-01-01-4", "loaded")]
    assert [t["years"] for t in published["backfill-tables"]] == ["2015-2019"]


def wait_for_runs(api_url: str, count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        # the runs we triggered; the nightly schedule's future runs stay SCHEDULED
        body = {"sort": "START_TIME_ASC", "flow_runs": {"state": {"type": {"not_any_": ["SCHEDULED"]}}}}
        runs = api(api_url, "POST", "/flow_runs/filter", body)
        assert isinstance(runs, list)
        states = [r["state_type"] for r in runs]
        if len(runs) >= count and all(state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for state in states):
            return states
        assert time.monotonic() < deadline, f"flow runs not finished: {states}"
        time.sleep(1)


def test_serve_runs_the_deployments_from_one_process(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    api_url, env = server
    root = write_snapshot(tmp_path / "publisher", 2022, 2024)
    home = tmp_path / "data"
    with GenesisServer(root) as publisher:
        serve_env = env | {
            "GENESIS_REGIO_URL": publisher.base_url,
            "GENESIS_REGIO_USERNAME": "demo",
            "GENESIS_REGIO_PASSWORD": "demo",
            "DEMOGRAFIE_HOME": str(home),
            "PYTHONUNBUFFERED": "1",
        }
        serving = subprocess.Popen(
            [sys.executable, "-m", "demografie.cli", "serve"],
            env=serve_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_for_line(serving, "being served", timeout=120)
            nightly = api(api_url, "GET", "/deployments/name/nightly/nightly")
            assert isinstance(nightly, dict)
            schedule = nightly["schedules"][0]["schedule"]
            assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Europe/Berlin")
            body = {"parameters": {"datasets": ["population"], "as_of": "2024-12-31", "synthetic": True}}
            created = api(api_url, "POST", f"/deployments/{nightly['id']}/create_flow_run", body)
            assert isinstance(created, dict)
            state = wait_for_run(api_url, created["id"], timeout=180)
        finally:
            serving.send_signal(signal.SIGTERM)
            output, _ = serving.communicate(timeout=60)
    assert state == "COMPLETED", output
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        years = con.execute("SELECT DISTINCT year(ref_date) FROM core.observations ORDER BY 1").fetchall()
    assert [y for (y,) in years] == [2022, 2023, 2024]


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float) -> None:
    """Read the process's output until a line holds `text` (readline blocks; the deadline is
    checked between lines, and a process that exits ends the wait)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return
        assert time.monotonic() < deadline, "".join(seen[-20:])
    raise AssertionError(f"exited with {process.wait()} before {text!r}: {''.join(seen[-20:])}")


def wait_for_run(api_url: str, run_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        flow_run = api(api_url, "GET", f"/flow_runs/{run_id}")
        assert isinstance(flow_run, dict)
        if flow_run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return str(flow_run["state_type"])
        assert time.monotonic() < deadline, f"flow run still {flow_run['state_type']}"
        time.sleep(1)

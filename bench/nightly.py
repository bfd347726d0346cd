"""A nightly run in which every table answers "nothing newer" (status 50): wall time end to end
in a fresh process, and how much of it is Prefect, with Prefect's temporary server and against a
running `prefect server`; then the whole catalog against the running server, and what each table
costs beyond its two HTTP round trips.

    python -m bench.nightly [--runs 3]

The publisher is the local GENESIS-protocol server with the demo's synthetic snapshot (its
tables, 2015-2024, on two publisher routes); the data home is loaded once before the timed runs.

For the whole catalog, the server answers every API table of the catalog on its three GENESIS
routes with its metadata (Stand 15.03.2026) and status 50 to a request with that `stand`. The
lake holds one synthetic delivery of each table, of that vintage and covering the years the run
asks for (written directly: a status-50 run reads only the manifest); the warehouse is built from
it first. The web-download tables (no `stand` in that protocol) are not part of it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import DATA, PREFECT_QUIET, REPO, machine, table
from bench.nightly_catalog import (
    HTTP_ROUNDS,
    api_datasets,
    catalog_home,
    catalog_publisher,
    catalog_variables,
    round_trips,
)
from demografie.devserver.server import GenesisServer
from demografie.devserver.synthetic import SNAPSHOT_DATASETS, snapshot_variables, write_snapshot


def run_child(home: Path, env: dict[str, str], datasets: list[str] | None = None) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.nightly_child", str(home), *(datasets or [])],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


def prefect_server(prefect_home: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    env = os.environ | PREFECT_QUIET | {"PREFECT_HOME": str(prefect_home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(180):
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return server, url
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the Prefect server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=DATA if DATA.exists() else None) as name:
        measure(Path(name), args.runs)


def measure(work: Path, runs: int) -> None:
    home = work / "home"
    root = write_snapshot(work / "publisher", 2015, 2024)
    rows = []
    with GenesisServer(root) as publisher:
        credentials = snapshot_variables(publisher.base_url)
        base = os.environ | PREFECT_QUIET | credentials | {"PREFECT_HOME": str(work / "prefect")}
        base.pop("PREFECT_API_URL", None)
        run_child(home, base)  # loads everything once
        rows.append(summary("temporary server (no PREFECT_API_URL)", [run_child(home, base) for _ in range(runs)]))
        server, url = prefect_server(work / "prefect-server")  # started only now: idle, it would still cost CPU
        try:
            timings = [run_child(home, base | {"PREFECT_API_URL": url}) for _ in range(runs)]
            rows.append(summary("running prefect server", timings))
            whole = whole_catalog(work, base | {"PREFECT_API_URL": url}, runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(machine())
    print(
        table(
            [
                "Prefect",
                "wall s (process)",
                "flow call s",
                "our work s",
                "Prefect in the call s",
                "Python start + imports s",
                f"our work per table s ({len(SNAPSHOT_DATASETS)} tables)",
            ],
            rows,
        )
    )
    print("\nThe whole catalog, every table answering status 50, against the running prefect server:")
    print(table(["tables", "our work s", "our work per table s", "HTTP round trips per table s"], whole[0]))
    print(whole[1])


def whole_catalog(work: Path, env: dict[str, str], runs: int) -> tuple[list[list[str]], str]:
    """Our work for the first ten API tables and for all of them: the difference per table is
    what one table adds, of which the two HTTP round trips, measured apart, are the publisher's."""
    datasets = api_datasets()
    root = catalog_publisher(work / "catalog-publisher", datasets)
    with GenesisServer(root) as publisher:
        variables = catalog_variables(publisher.base_url)
        home = catalog_home(work / "catalog-home", datasets)
        http = round_trips(publisher.base_url, datasets)
        bodies = {}
        for count in (10, len(datasets)):
            names = [d.name for d in datasets[:count]]
            results = [run_child(home, env | variables, names)[1] for _ in range(runs)]
            outcomes = {outcome for r in results for outcome in r["outcomes"]}
            if outcomes != {"unchanged"} or any(r["tables"] != count for r in results):
                raise RuntimeError(f"expected {count} tables, all unchanged: {results}")
            bodies[count] = statistics.median(r["body_seconds"] for r in results)
    rows = [[str(n), f"{body:.2f}", f"{body / n:.3f}", f"{http:.4f}"] for n, body in bodies.items()]
    added = (bodies[len(datasets)] - bodies[10]) / (len(datasets) - 10)
    note = (
        f"Each table beyond the first ten adds {added:.3f} s; of that, {http:.3f} s are its two HTTP round "
        f"trips, so the fixed cost per table beyond them is {added - http:.3f} s (HTTP measured apart: "
        f"{HTTP_ROUNDS} passes over the {len(datasets)} tables on one session, median)."
    )
    return rows, note


def summary(label: str, timings: list[tuple[float, dict[str, Any]]]) -> list[str]:
    wall = statistics.median(t[0] for t in timings)
    call = statistics.median(t[1]["call_seconds"] for t in timings)
    body = statistics.median(t[1]["body_seconds"] for t in timings)
    per_table = body / len(SNAPSHOT_DATASETS)
    return [
        label,
        f"{wall:.1f}",
        f"{call:.1f}",
        f"{body:.2f}",
        f"{call - body:.1f}",
        f"{wall - call:.1f}",
        f"{per_table:.3f}",
    ]


if __name__ == "__main__":
    main()

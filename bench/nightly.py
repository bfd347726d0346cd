"""A nightly run in which every table answers "nothing newer" (status 50): wall time end to end
in a fresh process, and how much of it is Prefect, with Prefect's temporary server and against a
running `prefect server`.

    python -m bench.nightly [--runs 3]

The publisher is the local GENESIS-protocol server with the demo's synthetic snapshot (its
tables, 2015-2024, on two publisher routes); the data home is loaded once before the timed runs.
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

import requests

from bench.common import DATA, REPO, machine, table
from demografie.devserver.server import GenesisServer
from demografie.devserver.synthetic import SNAPSHOT_DATASETS, snapshot_variables, write_snapshot

QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


def run_child(home: Path, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.nightly_child", str(home)],
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
    env = os.environ | QUIET | {"PREFECT_HOME": str(prefect_home)}
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
    work = Path(tempfile.mkdtemp(dir=DATA if DATA.exists() else None))
    home = work / "home"
    root = write_snapshot(work / "publisher", 2015, 2024)
    rows = []
    with GenesisServer(root) as publisher:
        credentials = snapshot_variables(publisher.base_url)
        base = os.environ | QUIET | credentials | {"PREFECT_HOME": str(work / "prefect")}
        base.pop("PREFECT_API_URL", None)
        run_child(home, base)  # loads everything once
        rows.append(summary("temporary server (no PREFECT_API_URL)", [run_child(home, base) for _ in range(args.runs)]))
        server, url = prefect_server(work / "prefect-server")  # started only now: idle, it would still cost CPU
        try:
            timings = [run_child(home, base | {"PREFECT_API_URL": url}) for _ in range(args.runs)]
        finally:
            server.terminate()
            server.wait(timeout=30)
        rows.append(summary("running prefect server", timings))
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


def summary(label: str, timings: list[tuple[float, dict[str, float]]]) -> list[str]:
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

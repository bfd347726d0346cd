"""What every benchmark shares: a fresh process per measurement, its wall time and peak memory,
and a plain table on stdout."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("DEMOGRAFIE_BENCH_DATA", REPO / "bench" / ".data"))
# Prefect in the children: quiet, and patient with its temporary server, which on a busy 2-core
# machine takes longer to start than Prefect's default wait
PREFECT_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def measure_in_child(module: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m <module> <args>` in a fresh process; it prints one JSON line (see `report`)."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=PREFECT_QUIET | os.environ | (env or {}),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(work: Callable[[], dict[str, Any] | None]) -> None:
    """In the child: time `work` (imports done before), print seconds, peak RSS and its extras."""
    started = time.perf_counter()
    extra = work() or {}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **extra}))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (readable on a terminal too)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> str:
    import duckdb
    import prefect
    import pyarrow

    cpu = platform.processor() or platform.machine()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}), {memory:.0f} GB RAM; "
        f"Python {platform.python_version()}, pyarrow {pyarrow.__version__}, duckdb {duckdb.__version__}, "
        f"prefect {prefect.__version__}"
    )

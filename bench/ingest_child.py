"""In a fresh process: `demografie ingest` of one flat file into a new home, timed by phase from
the run's own progress events and the build's split; prints one JSON line (bench.common.report)."""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from bench.common import report
from demografie import progress
from demografie.flows.ingest import ingest

TABLE = "12411-04-02-4"  # what demografie.devserver.largefile writes


def run(source: str, home: str) -> dict[str, Any]:
    started = time.perf_counter()
    events: dict[str, float] = {}

    def note(step: str, _detail: str) -> None:
        events.setdefault(step, time.perf_counter() - started)

    progress.subscribe(note)
    summary = ingest([source], table=TABLE, home=home)
    ended = time.perf_counter() - started
    assert summary.build is not None, "the ingest built no warehouse"
    build = summary.build.seconds
    return {
        "rows": summary.build.observation_versions,
        "phases": {
            "prefect start": events["read"],  # the flow call until its body reads the file
            "parse": events["checked"] - events["read"],  # parse, normalise, check, staged Parquet
            "lake": events["loaded"] - events["checked"],  # raw copy and lake commit
            "build": build["stage"] + build["core"] + build["docs"] + build["finish"],
            "marts": build["marts"],
            "checks": build["checks"],
            "prefect end": ended - events["built"],
        },
        # the temporary Prefect server is a child process of its own
        "server_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    report(lambda: run(sys.argv[1], sys.argv[2]))

"""In a fresh process: one nightly run of the demo tables; prints the time of the flow call and of
the run's own work (from taking the data home to the end), as JSON. The last seconds of the call
after the body (the flow's final state, the log flush) count as Prefect's."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime

from demografie.devserver.synthetic import SNAPSHOT_DATASETS
from demografie.flows.nightly import nightly


def main() -> None:
    started = time.perf_counter()
    summary = nightly(datasets=list(SNAPSHOT_DATASETS), as_of=date(2024, 12, 31), home=sys.argv[1])
    call = time.perf_counter() - started
    # from taking the data home (precise to the microsecond) to the end of the run
    body = (datetime.now(UTC).replace(tzinfo=None) - datetime.fromisoformat(str(summary.locked_at))).total_seconds()
    outcomes = sorted({t.outcome for t in summary.tables})
    print(json.dumps({"call_seconds": call, "body_seconds": body, "outcomes": outcomes}))


if __name__ == "__main__":
    main()

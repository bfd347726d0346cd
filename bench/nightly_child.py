"""In a fresh process: one nightly run of the demo tables (or of the datasets named after the home);
prints the time of the flow call and of the run's own work as JSON. The run's own work is from
taking the data home until the run is recorded in runs.jsonl (both stamps precise to the
microsecond); the rest of the call counts as Prefect's: its flow start, the flow's final state, the
artifacts and the heartbeat thread it waits for (up to a second) at the end."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime
from pathlib import Path

from demografie.devserver.synthetic import SNAPSHOT_DATASETS
from demografie.flows.nightly import nightly


def main() -> None:
    home = Path(sys.argv[1])
    started = time.perf_counter()
    datasets = sys.argv[2:] or list(SNAPSHOT_DATASETS)
    summary = nightly(datasets=datasets, as_of=date(2024, 12, 31), home=str(home))
    call = time.perf_counter() - started
    record = json.loads((home / "runs.jsonl").read_text("utf-8").splitlines()[-1])
    if record["load_id"] != summary.load_id:
        raise RuntimeError(f"the last run recorded is {record['load_id']}, not this run's {summary.load_id}")
    body = (datetime.fromisoformat(record["finished_at"]) - datetime.fromisoformat(record["locked_at"])).total_seconds()
    outcomes = sorted({t.outcome for t in summary.tables})
    print(json.dumps({"call_seconds": call, "body_seconds": body, "outcomes": outcomes, "tables": len(summary.tables)}))


if __name__ == "__main__":
    main()

"""Warehouse build from the lake at 1x, 4x and 16x the volume of the real data we hold (every
recorded sample, ingested as the test suite does), each build in a fresh process.

    python -m bench.build [--scales 1 4 16] [--runs 3]

The extra volume is synthetic: each copy k of every real delivery is a later vintage whose
figures are the real ones times (1 - k/1000), labelled synthetic, so every copy adds a version of
every observation (the build's heaviest case).

Then the nightly case at the largest scale: one table gets one more such vintage, and the build
that copies the other tables' versions from the live warehouse is timed against a full build of
the same lake, for the largest table and for a small one.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.common import DATA, machine, measure_in_child, table
from demografie.settings import Paths
from demografie.storage import Store
from demografie.warehouse.lake import ManifestEntry, committed_entries, write_delivery


def real_home() -> Path:
    home = DATA / "build-1x"
    if not (home / "warehouse.duckdb").exists():
        print("ingesting every recorded sample ...", flush=True)
        measure_in_child("bench.build_child", "ingest", str(home))
    return home


def scaled(base: Path, scale: int) -> Path:
    home = DATA / f"build-{scale}x"
    if home.exists():
        return home
    shutil.copytree(base, home)
    lake = Paths.from_env(home).lake
    for entry in committed_entries(lake):
        original = pq.read_table(lake.full(entry.lake_file))
        for k in range(1, scale):
            copy(lake, entry, original, k)
    return home


def copy(lake: Store, entry: ManifestEntry, original: pa.Table, k: int) -> None:
    rows = original.num_rows
    shifted = (
        original.set_column(
            original.schema.get_field_index("value"), "value", pc.multiply(original.column("value"), 1 - k / 1000)
        )
        .set_column(
            original.schema.get_field_index("vintage"),
            "vintage",
            pc.add(original.column("vintage"), pa.scalar(timedelta(days=k), pa.duration("us"))),
        )
        .set_column(original.schema.get_field_index("synthetic"), "synthetic", pa.repeat(pa.scalar(True), rows))
        .set_column(
            original.schema.get_field_index("load_id"), "load_id", pa.repeat(pa.scalar(f"bench-copy-{k}"), rows)
        )
        .append_column("source", pa.repeat(pa.scalar(entry.source), rows))
        .append_column("source_table", pa.repeat(pa.scalar(entry.source_table), rows))
    )
    digest = hashlib.sha256(f"{entry.content_sha256}-copy-{k}".encode()).hexdigest()
    write_delivery(lake, shifted, content_sha256=digest, raw_file=f"synthetic copy {k} of {entry.raw_file}")


NIGHTLY_TABLES = ("12613-010Z", "12411-01-01-4")  # the largest table of the lake, and a small one


def nightly_rows(home: Path, scale: int, runs: int) -> list[list[str]]:
    """For each of NIGHTLY_TABLES: a copy of the home with one more vintage of that table, built
    as the nightly run does (copying) and in full, alternately, each from the same live file."""
    rows = []
    for code in NIGHTLY_TABLES:
        with tempfile.TemporaryDirectory(dir=DATA) as work:
            copied = Path(work) / "home"
            shutil.copytree(home, copied)
            lake = Paths.from_env(copied).lake
            entry = next(e for e in committed_entries(lake) if e.source_table == code)
            copy(lake, entry, pq.read_table(lake.full(entry.lake_file)), scale)
            live = copied / "warehouse.duckdb"
            kept = Path(work) / "live.duckdb"
            shutil.copy2(live, kept)
            timings: dict[str, list[dict[str, object]]] = {"build": [], "full": []}
            for _ in range(runs):
                for task in timings:
                    shutil.copy2(kept, live)  # each build starts from the warehouse of before
                    timings[task].append(measure_in_child("bench.build_child", task, str(copied)))
        rows.append(_nightly_row(code, timings))
    return rows


def _nightly_row(code: str, timings: dict[str, list[dict[str, object]]]) -> list[str]:
    copying, full = timings["build"], timings["full"]
    seconds = statistics.median(float(str(t["seconds"])) for t in copying)
    full_seconds = statistics.median(float(str(t["seconds"])) for t in full)
    last = copying[-1]
    return [
        code,
        f"{int(str(last['versions'])):,}",
        f"{last['computed_tables']} of {last['tables']}",
        f"{full_seconds:.1f}",
        f"{seconds:.1f}",
        f"{seconds / full_seconds:.2f}",
        f"{max(float(str(t['peak_mb'])) for t in copying):,.0f}",
        str(last["split"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind in the nightly case (median)")
    args = parser.parse_args()
    base = real_home()
    rows = []
    for scale in args.scales:
        home = scaled(base, scale)
        result = measure_in_child("bench.build_child", "full", str(home))
        versions = result["versions"]
        rows.append(
            [
                f"{scale}x",
                f"{versions:,}",
                f"{result['seconds']:.1f}",
                f"{result['peak_mb']:,.0f}",
                f"{result['seconds'] / versions * 1e6:.1f}",
            ]
        )
        print(f"{scale}x done", flush=True)
    largest = max(args.scales)
    nightly = nightly_rows(scaled(base, largest), largest, args.runs)
    print(machine())
    print(table(["volume", "observation versions", "build s", "peak MB", "s per million versions"], rows))
    print(f"\nOne table's new vintage at {largest}x, median of {args.runs} builds each:")
    headers = ["new vintage of", "versions", "tables computed", "full build s", "nightly build s", "nightly / full"]
    print(table([*headers, "nightly peak MB", "nightly split"], nightly))


if __name__ == "__main__":
    main()

"""Warehouse build from the lake at 1x, 4x and 16x the volume of the real data we hold (every
recorded sample, ingested as the test suite does), each build in a fresh process.

    python -m bench.build [--scales 1 4 16]

The extra volume is synthetic: each copy k of every real delivery is a later vintage whose
figures are the real ones times (1 - k/1000), labelled synthetic, so every copy adds a version of
every observation (the build's heaviest case).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    base = real_home()
    rows = []
    for scale in args.scales:
        home = scaled(base, scale)
        result = measure_in_child("bench.build_child", "build", str(home))
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
    print(machine())
    print(table(["volume", "observation versions", "build s", "peak MB", "s per million versions"], rows))


if __name__ == "__main__":
    main()

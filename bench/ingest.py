"""`demografie ingest` of a v5 flat file of 1, 4 and 16 million rows, end to end (Prefect's
temporary server, parse, lake, warehouse build, marts, checks), each in a fresh process and a
fresh data home, with where the time went.

    python -m bench.ingest [--sizes 1 4 16]

The targets (issue 17): under 2 GB peak at 16 M rows, and at most 3x the parse time of
`bench.parse` on the same file. The files are those of bench.parse (synthetic, labelled so).
"""

from __future__ import annotations

import argparse
import shutil

from bench.common import DATA, machine, measure_in_child, table
from bench.parse import flat_file

PHASES = ("prefect start", "parse", "lake", "build", "marts", "checks", "prefect end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16], help="millions of rows")
    args = parser.parse_args()
    rows = []
    for millions in args.sizes:
        source = flat_file(millions)
        home = DATA / f"ingest-{millions}m"
        shutil.rmtree(home, ignore_errors=True)
        result = measure_in_child("bench.ingest_child", source, str(home))
        shutil.rmtree(home, ignore_errors=True)
        phases = result["phases"]
        rows.append(
            [
                f"{millions} M",
                f"{result['seconds']:.1f}",
                *(f"{phases[phase]:.1f}" for phase in PHASES),
                f"{result['seconds'] / phases['parse']:.1f}x",
                f"{result['peak_mb']:,.0f}",
                f"{result['server_peak_mb']:,.0f}",
            ]
        )
        print(f"{millions} M rows done", flush=True)
    print(machine())
    print(
        table(
            ["rows", "ingest s", *(f"{phase} s" for phase in PHASES), "ingest / parse", "peak MB", "server peak MB"],
            rows,
        )
    )


if __name__ == "__main__":
    main()

"""One measurement of bench.parse, run in a fresh process: `python -m bench.parse_child <way> <csv> <out>`."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import report

SYMBOLS = ["-", ".", "...", "/", "x", "()"]


def ours(source: Path, out: Path) -> dict[str, Any]:
    from demografie import catalog
    from demografie.storage import Store
    from demografie.transforms.normalise import Provenance
    from demografie.warehouse.deliveries import Delivery, load_delivery

    dataset = catalog.find("12411-04-02-4")
    now = datetime(2026, 1, 1)
    provenance = Provenance(dataset.name, dataset.source, dataset.table, now, now, "bench", synthetic=True)

    def work() -> dict[str, Any]:
        delivery = Delivery(dataset, [lambda: source.open("rb")], provenance, ["06", "14"], decimal=",")
        written = load_delivery(Store.at(out), delivery, raw_file="bench")
        return {"rows": written.entry.rows}

    return work()


def duckdb_copy(source: Path, out: Path) -> dict[str, Any]:
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    target = out / "duckdb.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{source}', delim=';', header=true)) TO '{target}' (FORMAT parquet)")
        row = con.execute(f"SELECT count(*) FROM '{target}'").fetchone()
    return {"rows": int(row[0]) if row else 0}


def pandas_pivot(source: Path, out: Path) -> dict[str, Any]:
    """What a pystatis (0.5.x) user gets for a v5 flat file: the answer decoded whole, rows that
    do not start with the statistics number dropped, `read_csv` as objects with the symbols as
    NA, the value made numeric, then the pivot to one column per value variable (index: every
    column but the last four), then Parquet."""
    import pandas as pd

    text = source.read_bytes().decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    kept = lines[0] + "".join(line for line in lines[1:] if line[:4].isdigit())
    del text, lines
    frame = pd.read_csv(io.StringIO(kept), sep=";", dtype=object, na_values=SYMBOLS, keep_default_na=False)
    frame["value"] = pd.to_numeric(frame["value"].str.replace(",", ".", regex=False))
    wide = frame.pivot(index=frame.columns[:-4].to_list(), columns="value_variable_label", values="value")
    out.mkdir(parents=True, exist_ok=True)
    wide.reset_index().to_parquet(out / "pandas.parquet")
    return {"rows": len(wide)}


def pystatis_own(source: Path, out: Path) -> dict[str, Any]:
    """The real pystatis package (the bench extra): its own `Table.get_data` (decode, its row
    filter, its `read_csv` parameters, `Table.parse_v5_table`), with only the network answered:
    `load_data`, its HTTP layer, returns the file's bytes for the table and a metadata answer.
    Then Parquet, as the other ways end."""
    import json

    from pystatis import table as pystatis_table

    data = source.read_bytes()

    def answer(endpoint: str, method: str, params: dict[str, str], db_name: str | None = None) -> bytes | str:
        if method == "tablefile":
            return data
        return json.dumps({"Status": {"Code": 0}, "Object": {"Code": params["name"]}})

    pystatis_table.load_data = answer
    pystatis_table.config.config.set("regio", "username", "bench")  # a registered user, in memory only
    got = pystatis_table.Table(name="12411-04-02-4")
    got.get_data(prettify=True)
    out.mkdir(parents=True, exist_ok=True)
    got.data.to_parquet(out / "pystatis.parquet")
    return {"rows": len(got.data)}


WAYS = {"demografie": ours, "duckdb": duckdb_copy, "pandas": pandas_pivot, "pystatis": pystatis_own}

if __name__ == "__main__":
    way, csv_path, out_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    # every way's imports before the clock starts (bench.common.report)
    if way == "demografie":
        import pyarrow as pa

        import demografie.catalog
        import demografie.storage
        import demografie.warehouse.deliveries  # noqa: F401

        pa.scalar(0)  # pyarrow imports pandas, when installed, at its first conversion of a Python value
    if way == "duckdb":
        import duckdb  # noqa: F401
    if way == "pandas":
        import pandas  # noqa: F401
    if way == "pystatis":
        import os
        import tempfile

        # pystatis writes its config file at import: into a folder of its own, never the user's
        os.environ["PYSTATIS_CONFIG_DIR"] = tempfile.mkdtemp(prefix="bench-pystatis-")
        import pystatis  # noqa: F401
    report(lambda: WAYS[way](csv_path, out_dir))

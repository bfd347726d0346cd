"""Arrow arrays built without a Python loop over rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def arange(n: int, start: int = 0) -> pa.Array:
    """start, start + 1, ..., start + n - 1 as int64."""
    if n == 0:
        return pa.array([], pa.int64())
    return pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), start - 1)

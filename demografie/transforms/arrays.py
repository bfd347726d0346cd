"""Arrow arrays built without a Python loop over rows."""

from __future__ import annotations

import contextlib
import functools

import pyarrow as pa
import pyarrow.compute as pc

from demografie.settings import arrow_pool_chosen


def arange(n: int, start: int = 0) -> pa.Array:
    """start, start + 1, ..., start + n - 1 as int64."""
    return pc.add(_range(n), start) if start else _range(n)


@functools.lru_cache(maxsize=8)
def _range(n: int) -> pa.Array:
    # a file's blocks have one size but the last: each block's line numbers reuse the same range
    if n == 0:
        return pa.array([], pa.int64())
    return pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), 1)


@functools.cache
def prefer_jemalloc() -> None:
    """pyarrow's jemalloc pool instead of its default (mimalloc on Linux): a large flat file
    allocates and frees a block's buffers hundreds of times, and jemalloc served that with a third
    less system time and 10 % less wall time at 1 M rows (bench/RESULTS.md). An operator's
    ARROW_DEFAULT_MEMORY_POOL wins; a pyarrow built without jemalloc keeps its default."""
    if arrow_pool_chosen():
        return
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())

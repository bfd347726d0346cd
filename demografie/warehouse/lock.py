"""One writer per data home: a run that would write the lake and the warehouse holds this lock.

An OS file lock (flock) on `<home>/.writer.lock`: the kernel releases it when the holding process
ends, even by SIGKILL, so a crashed run never leaves a stale lock behind. A second run waits up to
`wait_seconds` and then refuses with a message naming the run that holds the home. (Several
machines sharing one home need a lock that spans machines: a Prefect global concurrency limit.)
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from demografie.errors import HomeLockedError

LOCK_FILE = ".writer.lock"


@contextmanager
def writer_lock(
    home: Path,
    run: str,
    wait_seconds: float = 0.0,
    poll_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the data home's writer lock for the duration of the block."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    handle = path.open("a+")
    try:
        deadline = time.monotonic() + wait_seconds
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise HomeLockedError(
                    f"{home} is being written by another run ({_holder(path)}); "
                    f"gave up after waiting {wait_seconds:.0f} s"
                )
            sleep(poll_seconds)
        _describe(handle, run)
        yield
    finally:
        handle.close()  # closing releases the lock


def _try_lock(handle: TextIO) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _describe(handle: TextIO, run: str) -> None:
    since = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"run": run, "pid": os.getpid(), "since": since}))
    handle.flush()


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text("utf-8") or "{}")
    except (OSError, json.JSONDecodeError):
        return "unknown run"
    return f"run {holder.get('run', '?')}, process {holder.get('pid', '?')}, since {holder.get('since', '?')} UTC"

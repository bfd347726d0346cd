"""The children of a command die with it, however it ends.

Prefect starts its temporary API server as a child process (about 230 MB, holding the parent's
environment with the publishers' passwords) and stops it from an atexit hook. Ctrl-C and SIGTERM
reach that hook (`shutdown_on_sigterm`); SIGKILL, an OOM kill or a crash in C do not, and the
server would run on as an orphan. `watch_children` starts a small watcher process that notes the
parent's descendants five times a second and, once the parent is gone (its end of a pipe closes, which
the kernel does for any death), stops those that are left.

Linux reads descendants from /proc; elsewhere the watcher is not started.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

POLL_SECONDS = 0.2  # a child started less than this before a SIGKILL escapes
GRACE_SECONDS = 5.0
PROC = Path("/proc")


def shutdown_on_sigterm() -> None:
    """SIGTERM (systemd, `timeout`, `docker stop`) unwinds like Ctrl-C: finally blocks, the
    writer lock, Prefect's shutdown of its temporary server."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def watch_children() -> subprocess.Popen[bytes] | None:
    """Start the watcher of this process's descendants (Linux only); it ends with this process."""
    if not (PROC / str(os.getpid()) / "stat").exists():
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "demografie.flows.reaper", str(os.getpid())],
        stdin=subprocess.PIPE,  # our end closes when we die: the watcher's signal
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C to the terminal's group is ours to handle, not its
    )


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/<pid>/stat): with the pid, it
    tells a process from a later one that reused the pid."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in (PROC / str(pid) / "task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int, exclude: int) -> dict[int, str]:
    """Every process below `pid` (but `exclude` and its own children) with its start time."""
    seen: dict[int, str] = {}
    pending = [pid]
    while pending:
        for child in _children(pending.pop()):
            if child != exclude and child not in seen and (started := _start_time(child)) is not None:
                seen[child] = started
                pending.append(child)
    return seen


def stop(processes: dict[int, str]) -> None:
    """SIGTERM to each process that is still the one noted, SIGKILL to what outlives the grace."""
    alive = {pid for pid, started in processes.items() if _start_time(pid) == started}
    for pid in alive:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {pid for pid in alive if _start_time(pid) == processes[pid]}
    for pid in alive:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(OSError):  # gone already
        os.kill(pid, signum)


def watch(parent: int) -> None:
    noted: dict[int, str] = {}
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], POLL_SECONDS)
        if ready and not os.read(sys.stdin.fileno(), 1024):
            break  # the parent is gone
        noted.update(descendants(parent, exclude=os.getpid()))
    stop(noted)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]))

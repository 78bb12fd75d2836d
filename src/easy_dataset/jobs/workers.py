"""Who runs a job ("<hostname>:<pid>") and whether that runner is still alive."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from easy_dataset.store.base import as_utc

HEARTBEAT_SECONDS = 5.0
# Twelve missed heartbeats: long enough for a stalled disk or a busy machine, short enough
# that a job whose runner vanished on another host is picked up within a minute.
STALE_AFTER = timedelta(seconds=60)


def current_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def parse_worker(worker: str) -> tuple[str, int | None]:
    """The host and pid of a worker string; the pid is None when it is not a number."""
    host, _, pid = worker.rpartition(":")
    return (host, int(pid)) if pid.isdigit() else (worker, None)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # A killed child that its parent has not reaped yet still answers kill(pid, 0).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def worker_gone(worker: str | None, heartbeat_at: datetime | None, now: datetime) -> bool:
    """Whether a running job's worker has stopped: its pid is dead here, or it went quiet."""
    if worker is None:
        return True
    # Naive times are UTC (older callers); aware ones compare in any zone.
    stale = heartbeat_at is None or as_utc(now) - as_utc(heartbeat_at) > STALE_AFTER
    host, pid = parse_worker(worker)
    if host == socket.gethostname() and pid is not None and not pid_alive(pid):
        return True
    # A live pid may have been reused by an unrelated process, so silence also counts.
    return stale

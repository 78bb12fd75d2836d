"""Telling a live job runner from a dead one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta

from easy_dataset.jobs.workers import current_worker, parse_worker, pid_alive, worker_gone

NOW = datetime(2026, 1, 1, 12, 0, 0)
HOST = socket.gethostname()


def test_worker_names() -> None:
    assert parse_worker(current_worker()) == (HOST, os.getpid())
    assert parse_worker("a:b:12") == ("a:b", 12)
    assert parse_worker("odd") == ("odd", None)


def test_a_killed_child_is_dead_before_and_after_it_is_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert pid_alive(child.pid)
    child.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 30  # a safety net: death is prompt
    while pid_alive(child.pid):  # a zombie until reaped, and a zombie is dead
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.wait()
    assert not pid_alive(child.pid)
    assert not pid_alive(0)


def test_worker_gone() -> None:
    fresh, stale = NOW - timedelta(seconds=5), NOW - timedelta(minutes=5)
    me = current_worker()
    assert not worker_gone(me, fresh, NOW)
    assert worker_gone(me, stale, NOW)  # alive but silent: hung, or the pid was reused
    assert worker_gone(f"{HOST}:999999999", fresh, NOW)
    assert not worker_gone("elsewhere:1", fresh, NOW)
    assert worker_gone("elsewhere:1", stale, NOW)
    assert worker_gone("elsewhere:1", None, NOW)
    assert worker_gone(None, fresh, NOW)

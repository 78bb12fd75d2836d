"""Rate and ETA arithmetic of job progress events."""

from __future__ import annotations

import pytest

from easy_dataset.jobs.progress import RateMeter, eta_seconds, rate_of, window_rate


def test_rate_counts_only_the_recent_window() -> None:
    times = [1.0, 2.0, 50.0, 55.0, 59.0, 60.0]
    assert window_rate(times, now=60.0, started=0.0, window=30.0) == pytest.approx(4 / 30)


def test_a_young_run_is_measured_over_its_own_age() -> None:
    assert window_rate([0.5, 1.0, 1.5, 2.0], now=2.0, started=0.0, window=30.0) == 2.0
    assert rate_of(0, now=5.0, started=0.0, window=30.0) == 0.0
    assert rate_of(3, now=0.0, started=0.0, window=30.0) == 0.0


def test_eta() -> None:
    assert eta_seconds(100, 4.0) == 25.0
    assert eta_seconds(100, 0.0) is None
    assert eta_seconds(0, 0.0) == 0.0


def test_rate_meter_forgets_old_completions() -> None:
    meter = RateMeter(started=0.0, window=10.0)
    for t in range(1, 101):
        meter.add(t / 10)  # 10 per second for 10 s
    assert meter.rate(10.0) == pytest.approx(10.0)
    assert meter.rate(15.0) == pytest.approx(50 / 10)
    assert meter.rate(100.0) == 0.0

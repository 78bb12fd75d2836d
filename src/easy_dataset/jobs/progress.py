"""Progress events and the arithmetic behind them: throughput over a recent window, and ETA."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

# Long enough to smooth bursts of retries, short enough to follow a change of pace.
RATE_WINDOW_SECONDS = 30.0


@dataclass(frozen=True)
class Progress:
    """A job's state as one run sees it, emitted on start, after every item and at the end."""

    job_id: int
    status: str
    total: int
    succeeded: int
    failed: int
    pending: int
    in_flight: int
    rate: float  # items finished per second over the recent window
    eta_seconds: float | None  # None while the rate is unknown or zero
    elapsed: float  # seconds since this run started

    @property
    def done(self) -> int:
        return self.succeeded + self.failed


def window_rate(times: Iterable[float], now: float, started: float, window: float) -> float:
    """Completions per second among `times` within `window` seconds before `now`."""
    horizon = now - window
    return rate_of(sum(1 for t in times if horizon < t <= now), now, started, window)


def rate_of(count: int, now: float, started: float, window: float) -> float:
    """`count` completions in the last window as a rate per second."""
    # Before a full window has passed, divide by the time elapsed so far: a young run is not
    # slower than it is.
    span = min(window, now - started)
    return count / span if span > 0 and count else 0.0


def eta_seconds(pending: int, rate: float) -> float | None:
    """Seconds until `pending` items are done at `rate` items per second."""
    if pending <= 0:
        return 0.0
    return pending / rate if rate > 0 else None


class RateMeter:
    """Keeps the completion times of one window and answers the current rate."""

    def __init__(self, started: float, window: float = RATE_WINDOW_SECONDS) -> None:
        self.started = started
        self.window = window
        self._times: deque[float] = deque()

    def add(self, now: float) -> None:
        self._times.append(now)

    def rate(self, now: float) -> float:
        # Dropping what left the window keeps this O(1) per item: the length is the count.
        horizon = now - self.window
        while self._times and self._times[0] <= horizon:
            self._times.popleft()
        return rate_of(len(self._times), now, self.started, self.window)

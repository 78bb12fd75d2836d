"""Per-endpoint limits shared by every client of the process: in-flight slots, RPM and TPM.

Concurrency is capped per event loop (asyncio waiters belong to one loop); the per-minute
budgets are a sliding 60-second window shared by all loops, since the provider counts
requests per account, not per loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from easy_dataset.llm.presets import resolve_base_url
from easy_dataset.llm.types import ModelConfig

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
WINDOW = 60.0  # seconds: what "per minute" means


class _Entry:
    """One request in the window: when it was sent and the tokens counted for it."""

    __slots__ = ("at", "live", "tokens")

    def __init__(self, at: float, tokens: int) -> None:
        self.at = at
        self.tokens = tokens
        self.live = True  # False once it has left the window


class Reservation:
    """The budget taken for one request; `settle` swaps the estimate for the real usage."""

    def __init__(self, limiter: EndpointLimiter, entry: _Entry | None) -> None:
        self._limiter = limiter
        self._entry = entry

    def settle(self, tokens: int) -> None:
        if self._entry is not None:
            self._limiter._settle(self._entry, tokens)


class _Slots:
    """A counter of in-flight requests whose capacity can change; FIFO waiters."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self, capacity: int) -> None:
        if self.in_flight < capacity and not self.waiters:
            self.in_flight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter  # release() hands its slot over by resolving this future
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(capacity)  # the slot came with the cancellation: pass it on
            else:
                self.waiters.remove(waiter)
            raise

    def release(self, capacity: int) -> None:
        self.in_flight -= 1
        self.wake(capacity)

    def wake(self, capacity: int) -> None:
        while self.waiters and self.in_flight < capacity:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)


class EndpointLimiter:
    """At most `concurrency` requests in flight, `rpm` requests and `tpm` tokens a minute."""

    def __init__(
        self,
        concurrency: int,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.concurrency = concurrency
        self.rpm = rpm
        self.tpm = tpm
        self._clock = clock
        self._sleep = sleep
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = (
            weakref.WeakKeyDictionary()
        )
        self._window: deque[_Entry] = deque()
        self._window_tokens = 0
        self._lock = threading.Lock()  # the window is shared by every loop of the process

    @property
    def counts_tokens(self) -> bool:
        """Whether callers need to estimate tokens for `slot`."""
        return self.tpm is not None

    def configure(self, concurrency: int, rpm: int | None, tpm: int | None) -> None:
        """Adopt new limits (the latest configuration of the endpoint wins)."""
        self.concurrency, self.rpm, self.tpm = concurrency, rpm, tpm
        for slots in list(self._slots.values()):
            slots.wake(concurrency)

    def in_flight(self) -> int:
        """Requests holding a slot in the running loop."""
        slots = self._slots.get(asyncio.get_running_loop())
        return slots.in_flight if slots else 0

    @asynccontextmanager
    async def slot(self, tokens: int = 0) -> AsyncIterator[Reservation]:
        """Hold one of the in-flight slots and the budget for `tokens`, for one request."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = _Slots()
        await slots.acquire(self.concurrency)
        try:
            # Budgets are taken while holding the slot, so the window records when requests
            # are really sent rather than when they started queueing.
            entry = await self._take_budget(tokens)
            yield Reservation(self, entry)
        finally:
            slots.release(self.concurrency)

    async def _take_budget(self, tokens: int) -> _Entry | None:
        while True:
            with self._lock:
                if self.rpm is None and self.tpm is None:
                    return None
                now = self._clock()
                wait = self._wait_for(now, tokens)
                if wait <= 0:
                    entry = _Entry(now, tokens if self.tpm is not None else 0)
                    self._window.append(entry)
                    self._window_tokens += entry.tokens
                    return entry
            await self._sleep(wait)

    def _wait_for(self, now: float, tokens: int) -> float:
        """Seconds until a request of `tokens` fits both budgets (0: it fits now)."""
        while self._window and self._window[0].at <= now - WINDOW:
            gone = self._window.popleft()
            gone.live = False
            self._window_tokens -= gone.tokens
        wait = 0.0
        if self.rpm is not None and len(self._window) >= self.rpm:
            wait = self._window[len(self._window) - self.rpm].at + WINDOW - now
        if self.tpm is not None and self._window_tokens and self._window_tokens + tokens > self.tpm:
            # Wait until enough of the oldest requests have left the window; a request bigger
            # than the whole budget goes alone, once the window is empty.
            excess = self._window_tokens + tokens - self.tpm
            for entry in self._window:
                excess -= entry.tokens
                if excess <= 0:
                    break
            wait = max(wait, entry.at + WINDOW - now)
        return wait

    def _settle(self, entry: _Entry, tokens: int) -> None:
        with self._lock:
            if self.tpm is None or tokens < 0:
                return
            if entry.live:
                self._window_tokens += tokens - entry.tokens
            entry.tokens = tokens


_registry: dict[tuple[str, str], EndpointLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(config: ModelConfig) -> EndpointLimiter:
    """The process-wide limiter of the config's endpoint and model, set to its limits."""
    key = (resolve_base_url(config), config.model)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = EndpointLimiter(config.concurrency, config.rpm, config.tpm)
        else:
            limiter.configure(config.concurrency, config.rpm, config.tpm)
        return limiter

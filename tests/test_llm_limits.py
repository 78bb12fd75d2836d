"""Per-endpoint limits: an exact in-flight cap, RPM and TPM budgets on an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from easy_dataset.llm.limits import EndpointLimiter, limiter_for
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ModelConfig
from tests.fake_openai import FakeOpenAI, Faults


class FakeTime:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(latency=0.02)) as server:
        yield server


def test_concurrency_cap_is_exact_at_the_server(fake: FakeOpenAI) -> None:
    config = ModelConfig(
        name="capped", provider="custom", base_url=fake.base_url, model="cap-5", concurrency=5
    )
    fake.set_faults(latency=0.02, max_inflight_allowed=5)

    async def run() -> int:
        limiter = limiter_for(config)
        clients = [OpenAIChatClient(config, None, limiter=limiter) for _ in range(2)]
        try:
            ask = [{"role": "user", "content": "Hello"}]
            await asyncio.gather(*(clients[i % 2].chat(ask) for i in range(50)))
        finally:
            for client in clients:
                await client.aclose()
        return limiter.in_flight()

    assert asyncio.run(run()) == 0
    stats = fake.stats()
    assert stats.by_outcome == {"ok": 50}
    assert stats.peak_inflight == 5


def test_limiter_is_shared_per_endpoint_and_model() -> None:
    base = ModelConfig(name="a", provider="vllm", model="m", concurrency=3)
    first = limiter_for(base)
    again = limiter_for(base.model_copy(update={"name": "b", "concurrency": 7, "rpm": 10}))
    assert again is first
    assert (first.concurrency, first.rpm) == (7, 10)  # the latest configuration wins
    assert limiter_for(base.model_copy(update={"model": "other"})) is not first
    assert limiter_for(base.model_copy(update={"base_url": "http://10.0.0.2:8000/v1"})) is not first


def test_rpm_budget_delays_the_excess() -> None:
    time = FakeTime()
    limiter = EndpointLimiter(10, rpm=2, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(time.now)

    async def run() -> None:
        await asyncio.gather(*(request() for _ in range(5)))

    asyncio.run(run())
    assert sent == [0.0, 0.0, 60.0, 60.0, 120.0]


def test_rpm_window_slides() -> None:
    time = FakeTime()
    limiter = EndpointLimiter(10, rpm=2, clock=time.clock, sleep=time.sleep)

    async def run() -> list[float]:
        sent = []
        for at in (0.0, 30.0, 40.0):
            time.now = max(time.now, at)
            async with limiter.slot():
                sent.append(time.now)
        return sent

    assert asyncio.run(run()) == [0.0, 30.0, 60.0]


def test_tpm_budget_reserves_then_settles() -> None:
    time = FakeTime()
    limiter = EndpointLimiter(10, tpm=100, clock=time.clock, sleep=time.sleep)

    async def run() -> list[float]:
        sent = []
        async with limiter.slot(60) as reservation:
            sent.append(time.now)
            reservation.settle(20)  # the real usage was smaller than reserved
        async with limiter.slot(60):  # 20 + 60 fits
            sent.append(time.now)
        async with limiter.slot(60):  # 80 + 60 does not: wait for the first to leave
            sent.append(time.now)
        async with limiter.slot(500):  # bigger than the budget: goes alone, when all left
            sent.append(time.now)
        return sent

    assert asyncio.run(run()) == [0.0, 0.0, 60.0, 120.0]


def test_cancelled_waiters_give_their_slot_back() -> None:
    limiter = EndpointLimiter(1)

    async def run() -> int:
        release = asyncio.Event()

        async def hold() -> None:
            async with limiter.slot():
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter.cancel()
        release.set()
        await holder
        with pytest.raises(asyncio.CancelledError):
            await waiter
        async with limiter.slot():
            return limiter.in_flight()

    assert asyncio.run(run()) == 1


def test_raising_concurrency_wakes_waiters() -> None:
    limiter = EndpointLimiter(1)

    async def run() -> int:
        release = asyncio.Event()
        peak = 0

        async def hold() -> None:
            nonlocal peak
            async with limiter.slot():
                peak = max(peak, limiter.in_flight())
                await release.wait()

        tasks = [asyncio.create_task(hold()) for _ in range(3)]
        await asyncio.sleep(0)
        limiter.configure(3, None, None)
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return peak

    assert asyncio.run(run()) == 3


def test_client_reserves_tokens_and_settles_with_usage(fake: FakeOpenAI) -> None:
    config = ModelConfig(
        name="t", provider="custom", base_url=fake.base_url, model="m", tpm=10_000, max_tokens=50
    )
    limiter = EndpointLimiter(4, tpm=10_000)

    async def run() -> int:
        client = OpenAIChatClient(config, None, limiter=limiter)
        try:
            completion = await client.chat([{"role": "user", "content": "Hello"}])
        finally:
            await client.aclose()
        return completion.prompt_tokens + completion.completion_tokens

    used = asyncio.run(run())
    assert limiter._window_tokens == used

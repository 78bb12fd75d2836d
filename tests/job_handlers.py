"""Job handlers for the job tests; importable in a subprocess as `tests.job_handlers`."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from easy_dataset.errors import ModelCallError
from easy_dataset.jobs import JobContext, JobHandler, register
from easy_dataset.llm.limits import limiter_for
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.structured import chat_structured
from easy_dataset.llm.types import CallRecord, ModelConfig
from easy_dataset.services import App
from easy_dataset.store.models import Job, JobItem

RECORD = "test.record"
MODEL = "test.model"

Hook = Callable[[JobContext, str, int], Awaitable[None]]


def create_results_table(app: App) -> None:
    """The handler's domain table; deliberately not unique, so duplicates would show."""
    with app.db.session() as session:
        session.execute(
            text("CREATE TABLE IF NOT EXISTS test_results (job_id INTEGER, key TEXT, value TEXT)")
        )


def result_rows(app: App, job_id: int) -> Counter[str]:
    """How many result rows each key has."""
    with app.db.session() as session:
        keys = session.execute(
            text("SELECT key FROM test_results WHERE job_id = :job"), {"job": job_id}
        ).scalars()
        return Counter(keys)


@register
class RecordingHandler(JobHandler):
    """Keys k0000..; optional seeded delays and failures; one result row per success."""

    # params: n (or keys), seed, p_fail (a ModelCallError "parse" with raw output),
    # min_delay/max_delay (seconds), fail_commit (keys whose result cannot be saved),
    # base_url (an OpenAI-compatible server to call for every item).

    type: ClassVar[str] = RECORD
    # In-process tests only: process() calls per (job, key), and a per-job hook.
    calls: ClassVar[Counter[tuple[int, str]]] = Counter()
    hooks: ClassVar[dict[int, Hook]] = {}
    setups: ClassVar[Counter[int]] = Counter()
    teardowns: ClassVar[Counter[int]] = Counter()

    @classmethod
    def reset(cls) -> None:
        """Forget the in-process bookkeeping (job ids repeat across test databases)."""
        for counter in (cls.calls, cls.setups, cls.teardowns):
            counter.clear()
        cls.hooks.clear()

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        if "keys" in params:
            return list(params["keys"])
        return [f"k{i:04d}" for i in range(int(params["n"]))]

    async def setup(self, ctx: JobContext) -> None:
        self.setups[ctx.job_id] += 1
        ctx.state["rng"] = random.Random()
        if "base_url" in ctx.params:
            config = ModelConfig(
                name="fake", provider="custom", base_url=ctx.params["base_url"], model="m"
            )
            ctx.state["client"] = OpenAIChatClient(config, "sk-fake")

    async def teardown(self, ctx: JobContext) -> None:
        self.teardowns[ctx.job_id] += 1
        if "client" in ctx.state:
            await ctx.state["client"].aclose()

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        self.calls[(ctx.job_id, key)] += 1
        attempt = self.calls[(ctx.job_id, key)]
        params = ctx.params
        seeded = random.Random(f"{params.get('seed', 0)}:{key}:{attempt}")
        if seeded.random() < float(params.get("p_fail", 0)):
            raise ModelCallError(
                "parse", f"no JSON in the reply for {key}\nsecond line", raw_output=f"oops {key}"
            )
        low, high = float(params.get("min_delay", 0)), float(params.get("max_delay", 0))
        if high > 0:
            await asyncio.sleep(ctx.state["rng"].uniform(low, high))
        hook = self.hooks.get(ctx.job_id)
        if hook is not None:
            await hook(ctx, key, attempt)
        if "client" in ctx.state:
            reply = await ctx.state["client"].chat([{"role": "user", "content": f"Echo {key}"}])
            return {"value": key.upper(), "reply": reply.text}
        return {"value": key.upper()}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        if item.key in job.params.get("fail_commit", []):
            raise ValueError(f"cannot store {item.key}")
        session.execute(
            text("INSERT INTO test_results (job_id, key, value) VALUES (:job, :key, :value)"),
            {"job": job.id, "key": item.key, "value": result["value"]},
        )


class Summary(BaseModel):
    """The structured reply the model handler asks for."""

    title: str
    score: int


async def no_sleep(_seconds: float) -> None:
    """Backoff and Retry-After waits, skipped: the tests check outcomes, not pacing."""
    await asyncio.sleep(0)


@register
class ModelHandler(JobHandler):
    """One structured model call per item, through real clients, against `base_url`."""

    # params: n, base_url, timeout, max_retries, validation_retries, model_concurrency,
    # clients (how many clients share the endpoint's limiter).

    type: ClassVar[str] = MODEL
    records: ClassVar[list[CallRecord]] = []  # in-process tests: every call attempt

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        return [f"chunk-{i:04d}" for i in range(int(params["n"]))]

    async def setup(self, ctx: JobContext) -> None:
        params = ctx.params
        config = ModelConfig(
            name="fake",
            provider="custom",
            base_url=params["base_url"],
            model="fake-model",
            structured="json_schema",
            timeout=float(params.get("timeout", 5.0)),
            max_retries=int(params.get("max_retries", 1)),
            validation_retries=int(params.get("validation_retries", 0)),
            concurrency=int(params.get("model_concurrency", 4)),
        )
        limiter = limiter_for(config)
        ctx.state["clients"] = [
            OpenAIChatClient(
                config, "sk-fake", recorder=self.record, limiter=limiter, sleep=no_sleep
            )
            for _ in range(int(params.get("clients", 1)))
        ]

    def record(self, record: CallRecord) -> None:
        self.records.append(record)

    async def teardown(self, ctx: JobContext) -> None:
        for client in ctx.state["clients"]:
            await client.aclose()

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        clients = ctx.state["clients"]
        client = clients[int(key.rpartition("-")[2]) % len(clients)]
        messages = [{"role": "user", "content": f"Summarise {key} as a title and a score."}]
        reply = await chat_structured(client, messages, Summary)
        return {"summary": reply.value.model_dump(), "attempts": reply.attempts}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        session.execute(
            text("INSERT INTO test_results (job_id, key, value) VALUES (:job, :key, :value)"),
            {"job": job.id, "key": item.key, "value": result["summary"]["title"]},
        )

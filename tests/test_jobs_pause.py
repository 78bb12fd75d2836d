"""An endpoint that stops answering pauses the job (items kept pending) instead of retrying
item after item; resuming goes on once it is back."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from easy_dataset.errors import EndpointUnreachableError, ModelCallError
from easy_dataset.jobs import create_job, find_interrupted, request_cancel, run_job_sync
from easy_dataset.llm.breaker import CircuitBreaker, breaker_for, reset_all
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, jobs
from easy_dataset.store.models import JobFailure, JobItem, LLMCall
from tests.api_support import api_client, make_project, ok, wait_for_job
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.helpers import write
from tests.job_handlers import MODEL, ModelHandler, create_results_table, no_sleep


def free_port() -> int:
    """A port nothing listens on (connections to it are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def jobs_app(app: App) -> Iterator[App]:
    create_results_table(app)
    reset_all()
    yield app
    ModelHandler.records.clear()
    reset_all()


def config(base_url: str, **changes: object) -> ModelConfig:
    values: dict[str, object] = {
        "name": "t",
        "provider": "custom",
        "base_url": base_url,
        "model": "m",
        "max_retries": 6,
    }
    return ModelConfig.model_validate({**values, **changes})


def test_breaker_opens_after_k_unanswered_calls_in_a_row() -> None:
    breaker = CircuitBreaker("http://x/v1", threshold=3)
    for _ in range(2):
        breaker.record("connection", "refused")
    breaker.record("http")  # an error status is still a reply: the endpoint is up
    for _ in range(2):
        breaker.record("timeout", "no reply")
    breaker.check()  # two in a row: still closed
    breaker.record("connection", "refused again")
    assert breaker.is_open
    with pytest.raises(EndpointUnreachableError) as caught:
        breaker.check()
    assert caught.value.kind == "unreachable" and "refused again" in str(caught.value)
    breaker.reset()
    breaker.check()


def test_a_dead_endpoint_is_refused_without_more_attempts() -> None:
    port = free_port()
    settings = config(f"http://127.0.0.1:{port}/v1", unreachable_after=4)
    records: list[object] = []

    async def go() -> tuple[ModelCallError, ModelCallError]:
        client = OpenAIChatClient(settings, None, recorder=records.append, sleep=no_sleep)
        try:
            with pytest.raises(ModelCallError) as first:
                await client.chat([{"role": "user", "content": "hi"}])
            with pytest.raises(ModelCallError) as second:
                await client.chat([{"role": "user", "content": "hi"}])
            return first.value, second.value
        finally:
            await client.aclose()

    first, second = asyncio.run(go())
    # 4 attempts reach the threshold; the 5th of 7 is refused before it is sent.
    assert first.kind == "unreachable" and len(records) == 4
    assert second.kind == "unreachable" and len(records) == 4
    assert breaker_for(settings).is_open


def test_job_pauses_with_items_pending_then_resumes(jobs_app: App) -> None:
    port = free_port()
    params = {
        "n": 40,
        "base_url": f"http://127.0.0.1:{port}/v1",
        "max_retries": 6,
        "concurrency": 4,
        "model_concurrency": 4,
    }
    job_id = create_job(jobs_app, MODEL, params=params)
    started = time.monotonic()
    summary = run_job_sync(jobs_app, job_id)
    took = time.monotonic() - started

    assert summary.status == "paused"
    assert summary.error is not None and summary.error.startswith("endpoint unreachable")
    assert summary.pending == 40 and summary.failed == 0 and summary.succeeded == 0
    assert took < 5, f"pausing took {took:.1f} s"
    # About K attempts, not 40 items x 7 attempts.
    with jobs_app.db.session() as session:
        calls = session.scalar(select(func.count()).select_from(LLMCall)) or 0
        failures = session.scalar(select(func.count()).select_from(JobFailure)) or 0
    assert len(ModelHandler.records) <= 10 + 4 and failures == 0, (calls, failures)
    assert job_id in find_interrupted(jobs_app)
    view = jobs.show_job(jobs_app, job_id).job
    assert view.status == "paused" and view.finished_at is None

    with FakeOpenAI(port=port):
        resumed = jobs.resume_jobs(jobs_app, job_id=job_id)
    assert [(s.status, s.succeeded, s.pending) for s in resumed] == [("succeeded", 40, 0)]
    with jobs_app.db.session() as session:
        done = session.scalar(
            select(func.count()).where(JobItem.job_id == job_id, JobItem.status == "succeeded")
        )
    assert done == 40


def test_a_paused_job_can_be_cancelled(jobs_app: App) -> None:
    port = free_port()
    job_id = create_job(
        jobs_app,
        MODEL,
        params={"n": 5, "base_url": f"http://127.0.0.1:{port}/v1", "max_retries": 6},
    )
    assert run_job_sync(jobs_app, job_id).status == "paused"
    assert request_cancel(jobs_app, job_id)
    assert jobs.show_job(jobs_app, job_id).job.status == "cancelled"
    assert job_id not in find_interrupted(jobs_app)


def test_cli_generate_stops_within_seconds_and_a_rerun_goes_on(cli: Cli, tmp_path: Path) -> None:
    reset_all()
    port = free_port()
    document = write(tmp_path / "guide.md", "# Bees\n\n" + "Worker bees make honey. " * 200)
    command = [
        "generate",
        str(document),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--provider",
        "custom",
        "--base-url",
        f"http://127.0.0.1:{port}/v1",
        "--model",
        "fake-model",
        "--no-tags",
    ]
    started = time.monotonic()
    down = cli(*command)
    took = time.monotonic() - started
    assert down.exit_code == 1
    assert "paused: endpoint unreachable" in down.stderr and "jobs resume" in down.stderr
    assert took < 20, f"stopping took {took:.1f} s"
    with FakeOpenAI(port=port):
        back = cli(*command)
    assert back.exit_code == 0, back.output
    assert (tmp_path / "out.jsonl").read_text().count("\n") >= 1


def test_rest_shows_the_pause_and_resumes(home: Path) -> None:
    port = free_port()
    with api_client(home) as client:
        make_project(client, f"http://127.0.0.1:{port}/v1")
        ok(client.delete("/api/projects/bees/models/fake"))
        model = {"name": "fake", "provider": "custom", "model": "m", "max_retries": 6}
        base_url = f"http://127.0.0.1:{port}/v1"
        ok(client.post("/api/projects/bees/models", json={**model, "base_url": base_url}), 201)
        started = ok(client.post("/api/projects/bees/stages/questions.generate", json={}), 202)
        paused = wait_for_job(client, started["id"])["job"]
        assert paused["status"] == "paused" and paused["failed"] == 0
        assert paused["error"].startswith("endpoint unreachable")
        listed = ok(client.get("/api/jobs", params={"status": "paused"}))
        assert [job["id"] for job in listed["items"]] == [started["id"]]
        with FakeOpenAI(port=port):
            ok(client.post(f"/api/jobs/{started['id']}/resume"), 202)
            done = wait_for_job(client, started["id"])["job"]
        assert done["status"] == "succeeded" and done["succeeded"] == done["total"]


def test_cli_sets_the_breaker_threshold_and_continuations(cli: Cli) -> None:
    assert cli("project", "create", "p").exit_code == 0
    view = cli.json(
        *("models", "add", "m", "-p", "p", "--provider", "custom"),
        *("--base-url", "http://127.0.0.1:9/v1", "--model", "x"),
        *("--unreachable-after", "3", "--continuations", "0"),
    )
    assert view["config"]["unreachable_after"] == 3 and view["config"]["continuations"] == 0
    refused = cli(*("models", "add", "n", "-p", "p", "--model", "x", "--unreachable-after", "0"))
    assert refused.exit_code == 1 and "unreachable_after" in refused.stderr

"""The job runner's contract: counters, failures, retry, cancel, resume, crashes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.jobs import (
    JobContext,
    Progress,
    check_counts,
    create_job,
    find_interrupted,
    request_cancel,
    resume_job,
    retry_failed,
    run_job,
    run_job_sync,
)
from easy_dataset.jobs.workers import current_worker
from easy_dataset.services import App
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Job, JobFailure, JobItem
from tests.job_handlers import RECORD, RecordingHandler, create_results_table, result_rows


@pytest.fixture
def jobs_app(app: App) -> Iterator[App]:
    create_results_table(app)
    yield app
    RecordingHandler.reset()


def new_job(app: App, **params: Any) -> int:
    return create_job(app, RECORD, params=params)


def job_row(app: App, job_id: int) -> Job:
    with app.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def items_by_status(app: App, job_id: int) -> dict[str, set[str]]:
    with app.db.session() as session:
        rows = session.execute(
            select(JobItem.key, JobItem.status).where(JobItem.job_id == job_id)
        ).all()
    grouped: dict[str, set[str]] = {"pending": set(), "succeeded": set(), "failed": set()}
    for key, status in rows:
        grouped[status].add(key)
    return grouped


def test_create_job_plans_items_in_one_go(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=25)
    job = job_row(jobs_app, job_id)
    assert (job.status, job.total, job.pending, job.succeeded, job.failed) == (
        "pending",
        25,
        25,
        0,
        0,
    )
    assert len(items_by_status(jobs_app, job_id)["pending"]) == 25
    assert check_counts(jobs_app, job_id) == []


def test_create_job_rejects_bad_input(jobs_app: App) -> None:
    with pytest.raises(NotFoundError, match="no handler"):
        create_job(jobs_app, "test.nope", params={})
    with pytest.raises(InputError, match="JSON"):
        create_job(jobs_app, RECORD, params={"n": 1, "bad": object()})
    with pytest.raises(NotFoundError, match="no project"):
        create_job(jobs_app, RECORD, project_id=999, params={"n": 1})
    with pytest.raises(InputError, match="twice"):
        create_job(jobs_app, RECORD, params={"keys": ["a", "b", "a"]})
    with pytest.raises(InputError, match="over 200 characters"):
        create_job(jobs_app, RECORD, params={"keys": ["x" * 201]})
    with jobs_app.db.session() as session:
        assert session.scalars(select(Job)).all() == []


def test_counts_hold_after_every_item_and_failures_are_recorded(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=120, p_fail=0.25, seed=7, max_delay=0.002)
    seen: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        assert check_counts(jobs_app, job_id) == []
        assert progress.total == progress.succeeded + progress.failed + progress.pending
        seen.append(progress)

    summary = run_job_sync(jobs_app, job_id, concurrency=6, on_progress=on_progress)

    assert summary.failed > 0 and summary.succeeded > 0
    assert summary.succeeded + summary.failed == 120 and summary.pending == 0
    assert summary.status == "failed"
    assert summary.error is not None
    assert summary.error.startswith(f"{summary.failed} of 120 items failed")
    assert "easy-dataset" not in summary.error  # each interface says where to look
    assert seen[0].status == "running" and seen[0].pending == 120
    assert seen[-1].status == "failed" and seen[-1].pending == 0
    assert len(seen) == 120 + 2  # start, every item, end
    assert check_counts(jobs_app, job_id) == []
    job = job_row(jobs_app, job_id)
    assert job.finished_at is not None and job.worker == current_worker()
    with jobs_app.db.session() as session:
        failures = session.scalars(select(JobFailure).where(JobFailure.job_id == job_id)).all()
    assert len(failures) == summary.failed
    for failure in failures:
        assert failure.kind == "parse"
        assert "\n" not in failure.message and failure.message.startswith("no JSON in the reply")
        assert failure.raw_output is not None and failure.raw_output.startswith("oops k")
        assert failure.attempt == 1
    rows = result_rows(jobs_app, job_id)
    assert set(rows) == items_by_status(jobs_app, job_id)["succeeded"]
    assert set(rows.values()) == {1}


def test_retry_failed_runs_failures_again_and_keeps_history(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=60, p_fail=0.3, seed=3)
    first = run_job_sync(jobs_app, job_id)
    failed_keys = items_by_status(jobs_app, job_id)["failed"]
    assert first.failed == len(failed_keys) > 0

    assert retry_failed(jobs_app, job_id) == first.failed
    job = job_row(jobs_app, job_id)
    assert (job.status, job.failed, job.pending, job.error) == ("pending", 0, first.failed, None)
    assert check_counts(jobs_app, job_id) == []
    assert job_id in find_interrupted(jobs_app)

    # Each attempt rolls its own dice; a few runs end every failure for this seed.
    for _ in range(5):
        summary = run_job_sync(jobs_app, job_id)
        if summary.status == "succeeded":
            break
        retry_failed(jobs_app, job_id)
    assert summary.status == "succeeded" and summary.succeeded == 60
    assert summary.error is None
    assert check_counts(jobs_app, job_id) == []
    with jobs_app.db.session() as session:
        history = session.scalars(select(JobFailure).where(JobFailure.job_id == job_id)).all()
    assert len(history) >= first.failed
    assert len({(f.item_id, f.attempt) for f in history}) == len(history)
    rows = result_rows(jobs_app, job_id)
    assert len(rows) == 60 and set(rows.values()) == {1}
    for key in items_by_status(jobs_app, job_id)["succeeded"] - failed_keys:
        assert RecordingHandler.calls[(job_id, key)] == 1


def test_retry_with_nothing_failed_changes_nothing(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=5)
    run_job_sync(jobs_app, job_id)
    assert retry_failed(jobs_app, job_id) == 0
    assert job_row(jobs_app, job_id).status == "succeeded"


def test_cancel_between_items_leaves_the_rest_pending(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=50)
    never = asyncio.Event()

    async def hook(ctx: JobContext, key: str, attempt: int) -> None:
        if key == "k0010":
            request_cancel(ctx.app, ctx.job_id)
        elif key > "k0010":
            await never.wait()  # in flight until the runner cancels it

    RecordingHandler.hooks[job_id] = hook
    summary = run_job_sync(jobs_app, job_id, concurrency=4)

    assert summary.status == "cancelled"
    assert (summary.succeeded, summary.failed, summary.pending) == (11, 0, 39)
    assert check_counts(jobs_app, job_id) == []
    assert items_by_status(jobs_app, job_id)["succeeded"] == {f"k{i:04d}" for i in range(11)}
    assert job_row(jobs_app, job_id).finished_at is not None
    assert RecordingHandler.teardowns[job_id] == 1
    assert job_id not in find_interrupted(jobs_app)


def test_cancel_while_items_hang_is_noticed_by_polling(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=30)
    never = asyncio.Event()

    async def hook(ctx: JobContext, key: str, attempt: int) -> None:
        if key >= "k0005":
            await never.wait()

    RecordingHandler.hooks[job_id] = hook

    async def scenario() -> Any:
        five = asyncio.Event()

        def on_progress(progress: Progress) -> None:
            if progress.succeeded == 5:
                five.set()

        task = asyncio.create_task(
            run_job(jobs_app, job_id, concurrency=8, on_progress=on_progress)
        )
        await five.wait()
        assert request_cancel(jobs_app, job_id)
        return await task

    summary = asyncio.run(scenario())
    assert (summary.status, summary.succeeded, summary.pending) == ("cancelled", 5, 25)
    assert check_counts(jobs_app, job_id) == []


def test_cancel_a_job_nobody_runs(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=3)
    assert request_cancel(jobs_app, job_id)
    assert job_row(jobs_app, job_id).status == "cancelled"
    assert job_id not in find_interrupted(jobs_app)
    with pytest.raises(ConflictError, match="not interrupted"):
        asyncio.run(resume_job(jobs_app, job_id))
    # Running it on purpose lifts the cancel request.
    assert run_job_sync(jobs_app, job_id).status == "succeeded"
    assert not request_cancel(jobs_app, job_id)


def test_interrupted_run_resumes_without_redoing_succeeded_items(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=80, max_delay=0.003)

    async def interrupted() -> set[str]:
        twenty = asyncio.Event()

        def on_progress(progress: Progress) -> None:
            if progress.succeeded >= 20:
                twenty.set()

        task = asyncio.create_task(run_job(jobs_app, job_id, on_progress=on_progress))
        await twenty.wait()
        task.cancel()  # what Ctrl-C or a server shutdown does
        with pytest.raises(asyncio.CancelledError):
            await task
        return items_by_status(jobs_app, job_id)["succeeded"]

    done_before = asyncio.run(interrupted())
    job = job_row(jobs_app, job_id)
    assert job.status == "pending" and 20 <= job.succeeded < 80
    assert check_counts(jobs_app, job_id) == []
    assert find_interrupted(jobs_app) == [job_id]

    summary = asyncio.run(resume_job(jobs_app, job_id))
    assert (summary.status, summary.succeeded, summary.pending) == ("succeeded", 80, 0)
    for key in done_before:
        assert RecordingHandler.calls[(job_id, key)] == 1
    rows = result_rows(jobs_app, job_id)
    assert len(rows) == 80 and set(rows.values()) == {1}
    assert check_counts(jobs_app, job_id) == []


def set_worker(app: App, job_id: int, worker: str, *, age_seconds: float) -> None:
    """Make the job look as if `worker` were running it, last heard from that long ago."""
    with app.db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status="running",
                worker=worker,
                heartbeat_at=utcnow() - timedelta(seconds=age_seconds),
            )
        )


def test_find_interrupted_tells_dead_workers_from_live_ones(jobs_app: App) -> None:
    host = current_worker().rpartition(":")[0]
    dead_pid = new_job(jobs_app, n=2)
    set_worker(jobs_app, dead_pid, f"{host}:999999999", age_seconds=0)
    live_here = new_job(jobs_app, n=2)
    set_worker(jobs_app, live_here, current_worker(), age_seconds=0)
    quiet_elsewhere = new_job(jobs_app, n=2)
    set_worker(jobs_app, quiet_elsewhere, "elsewhere:1", age_seconds=3600)
    busy_elsewhere = new_job(jobs_app, n=2)
    set_worker(jobs_app, busy_elsewhere, "elsewhere:1", age_seconds=1)
    never_started = new_job(jobs_app, n=2)

    assert find_interrupted(jobs_app) == [dead_pid, quiet_elsewhere, never_started]
    with pytest.raises(ConflictError, match="already running"):
        run_job_sync(jobs_app, live_here)
    with pytest.raises(ConflictError, match="is running on elsewhere"):
        retry_failed(jobs_app, busy_elsewhere)
    summary = asyncio.run(resume_job(jobs_app, dead_pid))
    assert summary.status == "succeeded"
    assert job_row(jobs_app, dead_pid).worker == current_worker()


def test_an_exception_in_process_is_an_item_failure(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=20, fail_commit=["k0003"])

    async def hook(ctx: JobContext, key: str, attempt: int) -> None:
        if key == "k0007":
            raise RuntimeError("boom\nwith a traceback-ish second line")
        if key == "k0008":
            raise TimeoutError()

    RecordingHandler.hooks[job_id] = hook
    summary = run_job_sync(jobs_app, job_id)

    assert (summary.status, summary.succeeded, summary.failed) == ("failed", 17, 3)
    assert summary.error is not None and summary.error.startswith("3 of 20 items failed")
    with jobs_app.db.session() as session:
        failures = session.execute(
            select(JobItem.key, JobFailure.kind, JobFailure.message)
            .join(JobItem, JobItem.id == JobFailure.item_id)
            .where(JobFailure.job_id == job_id)
            .order_by(JobItem.key)
        ).all()
    assert [tuple(row) for row in failures] == [
        ("k0003", "ValueError", "could not save the result: cannot store k0003"),
        ("k0007", "RuntimeError", "boom with a traceback-ish second line"),
        ("k0008", "timeout", "TimeoutError"),
    ]
    # A result that could not be saved left nothing behind.
    assert "k0003" not in result_rows(jobs_app, job_id)
    assert check_counts(jobs_app, job_id) == []


def test_a_crash_in_the_runner_fails_the_job_and_keeps_items(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=10)

    def on_progress(progress: Progress) -> None:
        if progress.succeeded == 4:
            raise KeyError("progress display broke")

    with pytest.raises(KeyError):
        run_job_sync(jobs_app, job_id, concurrency=1, on_progress=on_progress)
    job = job_row(jobs_app, job_id)
    assert job.status == "failed"
    assert job.error is not None and "KeyError" in job.error and "progress display" in job.error
    assert (job.succeeded, job.pending) == (4, 6)
    assert check_counts(jobs_app, job_id) == []
    assert RecordingHandler.teardowns[job_id] == 1
    # Retrying a crashed job puts it back in line, and it finishes.
    assert retry_failed(jobs_app, job_id) == 0
    assert job_row(jobs_app, job_id).status == "pending"
    assert run_job_sync(jobs_app, job_id).succeeded == 10


def test_an_empty_job_succeeds(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=0)
    summary = run_job_sync(jobs_app, job_id)
    assert (summary.status, summary.total) == ("succeeded", 0)


def test_bad_concurrency_is_refused_before_the_job_is_touched(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=3)
    with pytest.raises(InputError, match="concurrency"):
        run_job_sync(jobs_app, job_id, concurrency=0)
    assert job_row(jobs_app, job_id).status == "pending"


def test_setup_and_teardown_run_once_per_run(jobs_app: App) -> None:
    job_id = new_job(jobs_app, n=40)
    run_job_sync(jobs_app, job_id, concurrency=8)
    assert RecordingHandler.setups[job_id] == 1 and RecordingHandler.teardowns[job_id] == 1

"""Jobs whose items call a model through the real client, against the fake server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from easy_dataset.jobs import check_counts, create_job, run_job_sync
from easy_dataset.services import App
from easy_dataset.store.models import Job, JobFailure, JobItem
from tests.fake_openai import MALFORMED_TEXT, FakeOpenAI, Faults
from tests.job_handlers import MODEL, ModelHandler, create_results_table, result_rows

TRANSIENT = {"rate_limit", "http", "timeout"}


@pytest.fixture
def jobs_app(app: App) -> Iterator[App]:
    create_results_table(app)
    yield app
    ModelHandler.records.clear()


def test_faulty_endpoint_every_item_ends_with_a_result_or_a_reason(jobs_app: App) -> None:
    faults = Faults(
        latency=0.002,
        p_429=0.10,
        retry_after="1",  # skipped by the handler's no-op sleep
        p_500=0.08,
        p_hang=0.04,
        hang_seconds=30.0,  # far past the client's timeout
        p_malformed=0.08,
        seed=11,
    )
    with FakeOpenAI(faults) as fake:
        job_id = create_job(
            jobs_app,
            MODEL,
            params={
                "n": 300,
                "base_url": fake.base_url,
                "timeout": 1.0,
                "max_retries": 1,
                "validation_retries": 0,
                "model_concurrency": 32,
                "concurrency": 32,
            },
        )
        summary = run_job_sync(jobs_app, job_id)
        outcomes = fake.stats().by_outcome

    # The server really misbehaved in every way asked for (a hang is counted by the server
    # only when it gives up, so the client's timeouts show it).
    assert {"429", "500", "malformed", "ok"} <= set(outcomes)
    attempt_errors = Counter(r.error_kind for r in ModelHandler.records)
    assert {"rate_limit", "http", "timeout"} <= set(attempt_errors)
    assert summary.succeeded + summary.failed == 300 and summary.pending == 0
    assert 0 < summary.failed < 150
    assert summary.status == "failed"
    assert check_counts(jobs_app, job_id) == []
    with jobs_app.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.succeeded, job.failed, job.pending) == (
            summary.succeeded,
            summary.failed,
            0,
        )
        by_status = dict(
            session.execute(
                select(JobItem.status, func.count())
                .where(JobItem.job_id == job_id)
                .group_by(JobItem.status)
            ).all()
        )
        failures = session.scalars(select(JobFailure).where(JobFailure.job_id == job_id)).all()
    assert by_status == {"succeeded": summary.succeeded, "failed": summary.failed}
    assert len(failures) == summary.failed == len({f.item_id for f in failures})
    kinds = Counter(f.kind for f in failures)
    assert set(kinds) <= TRANSIENT | {"parse"}
    assert kinds["parse"] > 0
    for failure in failures:
        assert failure.message and "\n" not in failure.message
        if failure.kind == "parse":
            assert failure.raw_output == MALFORMED_TEXT
        else:
            assert "gave up after 2 attempts" in failure.message
    rows = result_rows(jobs_app, job_id)
    assert len(rows) == summary.succeeded and set(rows.values()) == {1}
    # Every attempt was made on the job's behalf, and each item tried at most twice.
    assert {record.job_id for record in ModelHandler.records} == {job_id}
    assert len(ModelHandler.records) <= 2 * 300
    assert Counter(r.status for r in ModelHandler.records)["ok"] >= summary.succeeded


def test_endpoint_concurrency_holds_under_a_wider_job(jobs_app: App) -> None:
    with FakeOpenAI(Faults(latency=0.03)) as fake:
        job_id = create_job(
            jobs_app,
            MODEL,
            params={
                "n": 100,
                "base_url": fake.base_url,
                "model_concurrency": 7,
                "clients": 3,
                "concurrency": 32,
            },
        )
        summary = run_job_sync(jobs_app, job_id)
        stats = fake.stats()

    assert (summary.status, summary.succeeded) == ("succeeded", 100)
    assert stats.by_outcome == {"ok": 100}
    assert stats.peak_inflight == 7
    assert check_counts(jobs_app, job_id) == []

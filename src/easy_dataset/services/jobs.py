"""Jobs as people and scripts see them: list, show with failures and the model calls that
failed or were retried, cancel, retry, resume."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.jobs import (
    JobSummary,
    find_interrupted,
    request_cancel,
    retry_failed,
    run_job_sync,
)
from easy_dataset.jobs.progress import Progress
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.jobs.stage import find_stage
from easy_dataset.jobs.summary import StageSummary

# Importing the generation and quality services registers their job types, so any job
# can be resumed.
from easy_dataset.services import generation, quality  # noqa: F401
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.usage import JobCalls, job_calls
from easy_dataset.store.models import Job, JobFailure, JobItem


class JobView(BaseModel):
    id: int
    project_id: int | None
    type: str
    params: dict[str, Any]
    status: str
    total: int
    succeeded: int
    failed: int
    pending: int
    cancel_requested: bool
    error: str | None
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class FailureView(BaseModel):
    item_key: str
    attempt: int
    kind: str
    message: str
    raw_output: str | None
    created_at: datetime


class JobDetail(BaseModel):
    job: JobView
    failures: list[FailureView]  # the latest failure of each item that is failed now
    calls: JobCalls  # its model calls from the usage log: failed, retried, cancelled
    summary: StageSummary | None = None  # what its stage reports beyond the counts


def _view(job: Job) -> JobView:
    return JobView.model_validate(job, from_attributes=True)


def _job(app: App, job_id: int) -> Job:
    with app.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id}", subject="job")
        return job


def list_jobs(
    app: App, *, project_ref: str | int | None = None, status: str | None = None, limit: int = 50
) -> list[JobView]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    with app.db.session() as session:
        if project_ref is not None:
            query = query.where(Job.project_id == find_project(session, project_ref).id)
        if status is not None:
            query = query.where(Job.status == status)
        return [_view(job) for job in session.scalars(query)]


def jobs_page(
    app: App,
    *,
    project_ref: str | int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[JobView]]:
    """A page of jobs, newest first, and how many match in all."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0")
    query = select(Job)
    with app.db.session() as session:
        if project_ref is not None:
            query = query.where(Job.project_id == find_project(session, project_ref).id)
        if status is not None:
            query = query.where(Job.status == status)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset))
        return total, [_view(job) for job in page]


def calls_of(app: App, job_ids: list[int]) -> dict[int, JobCalls]:
    """Per job, its model calls: how many failed (by kind) and how many were retried."""
    if not job_ids:
        return {}
    final: dict[int, dict[str, int]] = {}
    query = (
        select(JobItem.job_id, JobFailure.kind, func.count())
        .join(JobFailure, JobFailure.item_id == JobItem.id)
        .where(JobItem.job_id.in_(job_ids))
        .group_by(JobItem.job_id, JobFailure.kind)
    )
    with app.db.session() as session:
        for job_id, kind, count in session.execute(query):
            final.setdefault(job_id, {})[kind] = count
    return job_calls(app, job_ids, final)


def job_summary(app: App, job: JobView) -> StageSummary | None:
    """What the job's stage reports about it from its succeeded items' results; None for a
    job whose type reports only the counts."""
    stage_cls = find_stage(job.type)
    if stage_cls is None or not stage_cls.has_summary():
        return None
    names = stage_cls.summary_keys
    # Only the keys the stage reads, extracted by the database: a summary of 10⁵ items
    # must not load every answer they wrote.
    values = [JobItem.result[name] for name in names] if names else [JobItem.result]
    query = (
        select(JobItem.key, *values)
        .where(JobItem.job_id == job.id, JobItem.status == "succeeded")
        .order_by(JobItem.id)
    )
    results: list[tuple[str, dict[str, Any]]] = []
    with app.db.session() as session:
        for key, *found in session.execute(query):
            if names:
                result = {name: value for name, value in zip(names, found, strict=True)}
                results.append((key, {k: v for k, v in result.items() if v is not None}))
            else:
                results.append((key, found[0] or {}))
    return stage_cls().summarize(results)


def show_job(app: App, job_id: int, *, failures: int = 50, summary: bool = True) -> JobDetail:
    """A job with the latest failure of its failed items (at most `failures`), its model
    calls and (unless `summary` is false) what its stage reports about it."""
    job = _job(app, job_id)
    latest = (
        select(JobItem.key, JobFailure)
        .join(JobFailure, JobFailure.item_id == JobItem.id)
        .where(JobItem.job_id == job_id, JobItem.status == "failed")
        .order_by(JobItem.id, JobFailure.id.desc())
    )
    seen: set[str] = set()
    rows: list[FailureView] = []
    with app.db.session() as session:
        for key, failure in session.execute(latest):
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                FailureView(
                    item_key=key,
                    attempt=failure.attempt,
                    kind=failure.kind,
                    message=failure.message,
                    raw_output=failure.raw_output,
                    created_at=failure.created_at,
                )
            )
            if len(rows) >= failures:
                break
    view = _view(job)
    return JobDetail(
        job=view,
        failures=rows,
        calls=calls_of(app, [job_id])[job_id],
        summary=job_summary(app, view) if summary else None,
    )


def cancel_job(app: App, job_id: int) -> JobView:
    """Ask a job to stop; its finished items stay, the rest stay pending."""
    _job(app, job_id)
    if not request_cancel(app, job_id):
        raise ConflictError(f"job {job_id} has already finished; there is nothing to cancel")
    return _view(_job(app, job_id))


def _finish(app: App, summary: JobSummary) -> JobSummary:
    app.usage_recorder.flush()
    return summary


def retry_job(
    app: App, job_id: int, *, run: bool = True, on_progress: ProgressCallback | None = None
) -> tuple[int, JobSummary | None]:
    """Put the job's failed items back to pending and (by default) run them now."""
    _job(app, job_id)
    moved = retry_failed(app, job_id)
    if not run:
        return moved, None
    return moved, _finish(app, run_job_sync(app, job_id, on_progress=on_progress))


def interrupted_jobs(
    app: App, *, job_id: int | None = None, project_ref: str | int | None = None
) -> list[int]:
    """The interrupted jobs (all of them, a project's, or the one named, which must be)."""
    project_id = None
    if project_ref is not None:
        with app.db.session() as session:
            project_id = find_project(session, project_ref).id
    waiting = find_interrupted(app, project_id=project_id)
    if job_id is not None:
        job = _job(app, job_id)
        if job_id not in waiting:
            raise ConflictError(
                f"job {job_id} is {job.status}"
                + (" and its worker is alive" if job.status == "running" else "")
                + "; only interrupted jobs resume, and retrying the job reruns its failed items",
                subject="not_interrupted",
            )
        waiting = [job_id]
    return waiting


def resume_jobs(
    app: App,
    *,
    job_id: int | None = None,
    project_ref: str | int | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[JobSummary]:
    """Run interrupted jobs (all of them, a project's, or one) on from where they stopped."""
    waiting = interrupted_jobs(app, job_id=job_id, project_ref=project_ref)
    return [
        _finish(app, run_job_sync(app, waiting_id, resume=True, on_progress=on_progress))
        for waiting_id in waiting
    ]


__all__ = [
    "FailureView",
    "JobCalls",
    "JobDetail",
    "JobView",
    "Progress",
    "calls_of",
    "cancel_job",
    "interrupted_jobs",
    "jobs_page",
    "list_jobs",
    "resume_jobs",
    "retry_job",
    "show_job",
]

"""Jobs as stored rows: create, retry failures, cancel, find interrupted runs, audit counters."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.jobs.env import JobEnv
from easy_dataset.jobs.handlers import get_handler
from easy_dataset.jobs.sql import changed_rows
from easy_dataset.jobs.workers import worker_gone
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Job, JobFailure, JobItem, Project

MAX_KEY_LENGTH = 200  # JobItem.key's column width


def create_job(
    app: JobEnv,
    job_type: str,
    *,
    project_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> int:
    """Plan a job with its handler and store it with all its items in one transaction."""
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise InputError(f"job parameters must be JSON values: {exc}") from None
    keys = get_handler(job_type).plan(app, project_id, params)
    _check_keys(keys)
    with app.db.session() as session:
        if project_id is not None and session.get(Project, project_id) is None:
            raise NotFoundError(
                f"no project {project_id}; cannot create a {job_type} job for it",
                subject="project",
            )
        job = Job(
            project_id=project_id,
            type=job_type,
            params=params,
            status="pending",
            total=len(keys),
            pending=len(keys),
        )
        session.add(job)
        session.flush()
        if keys:
            now = utcnow()
            session.execute(
                insert(JobItem),
                [{"job_id": job.id, "key": key, "updated_at": now} for key in keys],
            )
        return job.id


def _check_keys(keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InputError(f"the job's plan lists item {key!r} twice; item keys must be unique")
        if len(key) > MAX_KEY_LENGTH:
            raise InputError(f"item key {key[:40]!r}... is over {MAX_KEY_LENGTH} characters")
        seen.add(key)


def _job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id}", subject="job")
    return job


def _running_elsewhere(job: Job) -> bool:
    return job.status == "running" and not worker_gone(job.worker, job.heartbeat_at, utcnow())


def retry_failed(app: JobEnv, job_id: int) -> int:
    """Put the job's failed items back to pending (their failure history stays); how many."""
    with app.db.session() as session:
        # Writing first takes SQLite's write lock, so the checks below read settled state.
        moved = changed_rows(
            session,
            update(JobItem)
            .where(JobItem.job_id == job_id, JobItem.status == "failed")
            .values(status="pending", updated_at=utcnow()),
        )
        job = _job(session, job_id)
        if _running_elsewhere(job):
            raise ConflictError(
                f"job {job_id} is running on {job.worker}; retry its failures when it has finished"
            )
        if moved or job.status == "failed":
            changed_rows(
                session,
                update(Job)
                .where(Job.id == job_id)
                .values(
                    failed=Job.failed - moved,
                    pending=Job.pending + moved,
                    status="pending",
                    error=None,
                    finished_at=None,
                    cancel_requested=False,
                ),
            )
        return moved


def request_cancel(app: JobEnv, job_id: int) -> bool:
    """Ask the job to stop (its runner checks often; one nobody runs is cancelled now)."""
    with app.db.session() as session:
        asked = changed_rows(
            session,
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("pending", "paused", "running")))
            .values(cancel_requested=True),
        )
        job = _job(session, job_id)
        if not asked:
            return False  # it had already finished
        if not _running_elsewhere(job):
            job.status = "cancelled"
            job.finished_at = utcnow()
        return True


def find_interrupted(app: JobEnv, *, project_id: int | None = None) -> list[int]:
    """Jobs waiting for a runner: pending and paused ones, and running ones whose worker
    is gone."""
    query = select(Job.id, Job.status, Job.worker, Job.heartbeat_at).where(
        Job.status.in_(("pending", "paused", "running"))
    )
    if project_id is not None:
        query = query.where(Job.project_id == project_id)
    now = utcnow()
    with app.db.session() as session:
        rows = session.execute(query.order_by(Job.id)).all()
    return [
        job_id
        for job_id, status, worker, heartbeat_at in rows
        if status != "running" or worker_gone(worker, heartbeat_at, now)
    ]


def check_counts(app: JobEnv, job_id: int) -> list[str]:
    """What is wrong with the job's counters against its item rows; empty when all agree."""

    def items(*where: Any) -> Any:
        return (
            select(func.count())
            .select_from(JobItem)
            .where(JobItem.job_id == Job.id, *where)
            .scalar_subquery()
        )

    unexplained = ~exists().where(JobFailure.item_id == JobItem.id)
    # One statement, so one snapshot: a runner committing meanwhile cannot make it disagree.
    query = select(
        Job.total,
        Job.succeeded,
        Job.failed,
        Job.pending,
        items(),
        items(JobItem.status == "succeeded"),
        items(JobItem.status == "failed"),
        items(JobItem.status == "pending"),
        items(and_(JobItem.status == "failed", unexplained)),
    ).where(Job.id == job_id)
    with app.db.session() as session:
        row = session.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no job {job_id}", subject="job")
    total, succeeded, failed, pending, n_items, n_ok, n_failed, n_pending, n_silent = row
    problems = []
    if total != succeeded + failed + pending:
        problems.append(f"total {total} != {succeeded} + {failed} + {pending}")
    for name, counter, actual in (
        ("total", total, n_items),
        ("succeeded", succeeded, n_ok),
        ("failed", failed, n_failed),
        ("pending", pending, n_pending),
    ):
        if counter != actual:
            problems.append(f"{name} counter {counter} but {actual} item rows")
    if n_silent:
        problems.append(f"{n_silent} failed items have no failure record")
    return problems

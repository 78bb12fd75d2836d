"""A runner's hold on a job row: claim it, keep it alive, read requests, set the final status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update

from easy_dataset.errors import ConflictError, NotFoundError
from easy_dataset.jobs.env import JobEnv
from easy_dataset.jobs.outcomes import PendingItem
from easy_dataset.jobs.sql import changed_rows
from easy_dataset.jobs.workers import worker_gone
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Job, JobItem

# Why a run ended: all items tried, a cancel request, the process being stopped, a bug, or
# an endpoint that stopped answering (the job waits, paused, for someone to resume it).
Ending = Literal["done", "cancelled", "interrupted", "crashed", "paused"]
# Statuses of jobs that wait for a runner to take them on (neither running nor finished).
WAITING = ("pending", "paused")
CLAIM_ATTEMPTS = 5


@dataclass(frozen=True)
class Claim:
    """A job this worker now runs: a snapshot of its row and its pending items."""

    job: Job
    items: list[PendingItem]


@dataclass(frozen=True)
class Watch:
    cancel_requested: bool
    owned: bool  # False: the row is gone or another worker took the job over


@dataclass(frozen=True)
class Outcome:
    """The job's row after a run, for the summary."""

    status: str
    total: int
    succeeded: int
    failed: int
    pending: int
    error: str | None


def load_job(app: JobEnv, job_id: int) -> Job:
    with app.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id}", subject="job")
        return job


def claim(app: JobEnv, job_id: int, worker: str, *, only_interrupted: bool) -> Claim:
    """Mark the job running under `worker`; refuses a job another live worker is running."""
    for _ in range(CLAIM_ATTEMPTS):
        job = load_job(app, job_id)
        interrupted = job.status in WAITING or (
            job.status == "running" and worker_gone(job.worker, job.heartbeat_at, utcnow())
        )
        if job.status == "running" and not interrupted:
            raise ConflictError(f"job {job_id} is already running on {job.worker}")
        if only_interrupted and not interrupted:
            raise ConflictError(f"job {job_id} is {job.status}, not interrupted; nothing to resume")
        now = utcnow()
        with app.db.session() as session:
            # Compare-and-set on what we just judged, so two resumers cannot both win.
            won = changed_rows(
                session,
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.status == job.status,
                    Job.worker.is_(None) if job.worker is None else Job.worker == job.worker,
                )
                .values(
                    status="running",
                    worker=worker,
                    started_at=job.started_at or now,
                    finished_at=None,
                    heartbeat_at=now,
                    cancel_requested=False,
                    error=None,
                ),
            )
            if not won:
                continue
            items = session.execute(
                select(JobItem.id, JobItem.key, JobItem.attempts)
                .where(JobItem.job_id == job_id, JobItem.status == "pending")
                .order_by(JobItem.id)
            ).all()
        return Claim(job=load_job(app, job_id), items=[PendingItem(*row) for row in items])
    raise ConflictError(f"job {job_id} kept changing while starting it; try again")


def watch(app: JobEnv, job_id: int, worker: str, *, beat: bool) -> Watch:
    """Read the cancel flag and whether we still hold the job; with `beat`, renew the heartbeat."""
    with app.db.session() as session:
        if beat:
            changed_rows(
                session,
                update(Job)
                .where(Job.id == job_id, Job.worker == worker)
                .values(heartbeat_at=utcnow()),
            )
        row = session.execute(
            select(Job.cancel_requested, Job.worker, Job.status).where(Job.id == job_id)
        ).one_or_none()
    if row is None:
        return Watch(cancel_requested=True, owned=False)
    return Watch(cancel_requested=bool(row[0]), owned=row[1] == worker and row[2] == "running")


def failure_summary(failed: int, total: int) -> str:
    """The error of a job whose items failed; each interface says where to see them."""
    return f"{failed} of {total} items failed"


def finish(
    app: JobEnv, job_id: int, worker: str, ending: Ending, reason: str | None = None
) -> Outcome:
    """Set the final status from the counters; a job we no longer hold is left as it is.

    `reason` says why a crashed run stopped or a paused one waits."""
    with app.db.session() as session:
        held = changed_rows(
            session,
            update(Job)
            .where(Job.id == job_id, Job.worker == worker, Job.status == "running")
            .values(heartbeat_at=utcnow()),
        )
        job = session.get(Job, job_id)
        if job is None:
            raise NotFoundError(f"job {job_id} was deleted while it ran")
        if held:
            job.status, job.error = _final_status(job, ending, reason)
            job.finished_at = None if job.status in WAITING else utcnow()
        return Outcome(job.status, job.total, job.succeeded, job.failed, job.pending, job.error)


def _final_status(job: Job, ending: Ending, reason: str | None) -> tuple[str, str | None]:
    if ending == "crashed":
        return "failed", reason or "the job runner stopped on an unexpected error"
    if ending == "paused" and job.pending > 0:
        return "paused", reason or "the model endpoint stopped answering"
    if job.pending > 0:
        # Work is left: a cancelled job says so; anything else can be resumed.
        return ("cancelled" if ending == "cancelled" else "pending"), None
    if job.failed > 0:
        return "failed", failure_summary(job.failed, job.total)
    return "succeeded", None

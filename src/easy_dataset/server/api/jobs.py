"""Jobs: list, show with failures and live progress, cancel, retry failures, resume."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from easy_dataset.jobs.summary import StageSummary
from easy_dataset.server.api.common import IdPath, Limit, Offset, Page
from easy_dataset.server.deps import Core, Executor, submit_job
from easy_dataset.services import jobs
from easy_dataset.services.jobs import FailureView, JobView
from easy_dataset.services.usage import JobCalls

router = APIRouter(prefix="/jobs", tags=["jobs"])

Status = Literal["pending", "paused", "running", "succeeded", "failed", "cancelled"]
ProjectFilter = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Only this project's (id or name).")
]


class LiveProgress(BaseModel):
    """The latest progress event of a job this server is running."""

    status: str
    in_flight: int
    rate: float  # items finished per second, over the last 30 seconds
    eta_seconds: float | None  # None while the rate is unknown
    elapsed: float  # seconds since this run started


class JobState(BaseModel):
    job: JobView
    failures: list[FailureView]  # the latest failure of each item that is failed now
    calls: JobCalls  # its model calls: failed (by kind), retried, cancelled
    queued: bool  # waiting in this server's queue
    progress: LiveProgress | None  # while it runs in this server
    summary: StageSummary | None = None  # what its stage reports beyond the counts


class Retried(BaseModel):
    moved: int  # failed items put back to pending
    job: JobView


def _state(core: Core, executor: Executor, job_id: int, failures: int = 50) -> JobState:
    detail = jobs.show_job(core, job_id, failures=failures)
    event = executor.progress.get(job_id)
    live = None
    if event is not None and detail.job.status == "running":
        live = LiveProgress(
            status=event.status,
            in_flight=event.in_flight,
            rate=event.rate,
            eta_seconds=event.eta_seconds,
            elapsed=event.elapsed,
        )
    return JobState(
        job=detail.job,
        failures=detail.failures,
        calls=detail.calls,
        queued=job_id in executor.queued(),
        progress=live,
        summary=detail.summary,
    )


@router.get("")
def list_jobs(
    core: Core,
    project: ProjectFilter = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[JobView]:
    """Jobs, newest first."""
    total, items = jobs.jobs_page(
        core, project_ref=project, status=status, limit=limit, offset=offset
    )
    return Page[JobView](items=items, total=total)


@router.post("/resume", status_code=202)
def resume_all(request: Request, core: Core, project: ProjectFilter = None) -> Page[JobView]:
    """Queue every interrupted job (or a project's) to run on from where it stopped."""
    waiting = jobs.interrupted_jobs(core, project_ref=project)
    for job_id in waiting:
        submit_job(request, job_id)
    views = [jobs.show_job(core, job_id, failures=0, summary=False).job for job_id in waiting]
    return Page[JobView](items=views, total=len(views))


@router.get("/{job_id}")
def show_job(
    job_id: IdPath,
    core: Core,
    executor: Executor,
    failures: Annotated[int, Query(ge=0, le=1000, description="Failures to list at most.")] = 50,
) -> JobState:
    """A job's counts and failures (kind, message, raw model output), its model calls that
    failed or were retried, and its live progress."""
    return _state(core, executor, job_id, failures)


@router.post("/{job_id}/cancel")
def cancel_job(job_id: IdPath, core: Core) -> JobView:
    """Ask a job to stop; finished items stay, the rest stay pending."""
    return jobs.cancel_job(core, job_id)


@router.post("/{job_id}/retry", status_code=202)
def retry_job(job_id: IdPath, request: Request, core: Core) -> Retried:
    """Put the job's failed items back to pending and queue the job."""
    moved, _ = jobs.retry_job(core, job_id, run=False)
    view = jobs.show_job(core, job_id, failures=0, summary=False).job
    if view.status == "pending":
        submit_job(request, job_id)
    return Retried(moved=moved, job=view)


@router.post("/{job_id}/resume", status_code=202)
def resume_job(job_id: IdPath, request: Request, core: Core) -> JobView:
    """Queue an interrupted job to run on from where it stopped."""
    for waiting in jobs.interrupted_jobs(core, job_id=job_id):
        submit_job(request, waiting)
    return jobs.show_job(core, job_id, failures=0, summary=False).job

"""Durable jobs: planned items, each committed as it completes, resumable after any stop."""

from easy_dataset.jobs.env import JobEnv
from easy_dataset.jobs.handlers import JobContext, JobHandler, get_handler, register
from easy_dataset.jobs.progress import Progress
from easy_dataset.jobs.runner import JobSummary, resume_job, run_job, run_job_sync
from easy_dataset.jobs.store import (
    check_counts,
    create_job,
    find_interrupted,
    request_cancel,
    retry_failed,
)

__all__ = [
    "JobContext",
    "JobEnv",
    "JobHandler",
    "JobSummary",
    "Progress",
    "check_counts",
    "create_job",
    "find_interrupted",
    "get_handler",
    "register",
    "request_cancel",
    "resume_job",
    "retry_failed",
    "run_job",
    "run_job_sync",
]

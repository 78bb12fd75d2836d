"""Starting and running quality checks as jobs, for every interface."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary, create_job, run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.generation.stages import interrupted_jobs
from easy_dataset.services.projects import find_project

# Check name (as the CLI and API spell it) -> job type.
CHECKS = {
    "judge": "quality.judge",
    "ground": "quality.ground",
    "dedup": "quality.dedup",
    "pii": "quality.pii",
    "refs": "quality.refs",
    "contamination": "quality.contamination",
    "sample": "quality.sample",
}


def job_type(check: str) -> str:
    if check not in CHECKS:
        raise InputError(f"no quality check {check!r}; the checks are: {', '.join(CHECKS)}")
    return CHECKS[check]


def _project_id(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        return find_project(session, project_ref).id


def start_check(app: App, project_ref: str | int, check: str, **options: Any) -> int:
    """Plan a check's job and return its id; nothing runs yet (a runner picks it up)."""
    kind = job_type(check)
    params = {name: value for name, value in options.items() if value is not None}
    return create_job(app, kind, project_id=_project_id(app, project_ref), params=params)


def run_check(
    app: App,
    project_ref: str | int,
    check: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one check to the end: first any interrupted job of it, then a new one."""
    kind = job_type(check)
    project_id = _project_id(app, project_ref)
    try:
        for job_id in interrupted_jobs(app, project_id, kind):
            run_job_sync(app, job_id, resume=True, on_progress=on_progress)
        job_id = start_check(app, project_id, check, **options)
        return run_job_sync(app, job_id, on_progress=on_progress)
    finally:
        app.usage_recorder.flush()

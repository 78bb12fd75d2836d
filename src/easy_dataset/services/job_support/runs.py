"""Planning a project's job and running a job type to the end, for every kind of job."""

from __future__ import annotations

from typing import Any

from easy_dataset.jobs import JobSummary, create_job, find_interrupted, run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.models import resolve_model
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Job


def project_id_of(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        return find_project(session, project_ref).id


def plan_job(app: App, project_ref: str | int, job_type: str, options: dict[str, Any]) -> int:
    """Plan a project's job from its options (None: left out) and return its id.

    A model configuration named in the options must exist: refused now, with no job
    created, rather than when a runner opens it.
    """
    project_id = project_id_of(app, project_ref)
    params = {name: value for name, value in options.items() if value is not None}
    if "model" in params:
        resolve_model(app, project_id, params["model"])
    return create_job(app, job_type, project_id=project_id, params=params)


def run_to_end(
    app: App,
    project_ref: str | int,
    job_type: str,
    options: dict[str, Any],
    on_progress: ProgressCallback | None = None,
) -> JobSummary:
    """Run a project's job of this type to the end: first any interrupted one (so its items
    are not planned twice), then a new one for whatever is still to do. Returns the new
    job's summary (or a resumed one's that paused again); its total is 0 when everything
    was already done."""
    project_id = project_id_of(app, project_ref)
    try:
        for job_id in interrupted_jobs(app, project_id, job_type):
            resumed = run_job_sync(app, job_id, resume=True, on_progress=on_progress)
            if resumed.status == "paused":
                return resumed  # the endpoint is still down: planning more would not help
        job_id = plan_job(app, project_id, job_type, options)
        return run_job_sync(app, job_id, on_progress=on_progress)
    finally:
        app.usage_recorder.flush()


def interrupted_jobs(app: App, project_id: int, kind: str) -> list[int]:
    """This project's jobs of this kind that wait for a runner."""
    waiting = find_interrupted(app, project_id=project_id)
    with app.db.session() as session:
        return [
            job_id
            for job_id in waiting
            if (job := session.get(Job, job_id)) is not None and job.type == kind
        ]

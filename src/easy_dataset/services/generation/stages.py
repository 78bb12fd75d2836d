"""Starting and running generation stages as jobs, for the CLI, the pipeline and scripts."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary, create_job, find_interrupted, run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Job

# In pipeline order.
STAGES = (
    "tags.build",
    "personas.generate",
    "questions.generate",
    "answers.generate",
    "templates.apply",
)


def _project_id(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        return find_project(session, project_ref).id


def _check(kind: str) -> None:
    if kind not in STAGES:
        raise InputError(f"no generation stage {kind!r}; the stages are: {', '.join(STAGES)}")


def start_job(app: App, project_ref: str | int, kind: str, **options: Any) -> int:
    """Plan a stage's job (only the work not done yet) and return its id; nothing runs.

    Options: model (a configuration name), cache (reuse stored replies), concurrency,
    file_ids, and per stage: rebuild (tags), count (personas), chunk_ids (questions),
    question_ids and synthesize_cot (answers), template_ids (templates).
    """
    _check(kind)
    params = {name: value for name, value in options.items() if value is not None}
    return create_job(app, kind, project_id=_project_id(app, project_ref), params=params)


def interrupted_jobs(app: App, project_id: int, kind: str) -> list[int]:
    """This project's jobs of this kind that wait for a runner."""
    waiting = find_interrupted(app, project_id=project_id)
    with app.db.session() as session:
        return [
            job_id
            for job_id in waiting
            if (job := session.get(Job, job_id)) is not None and job.type == kind
        ]


def run_stage(
    app: App,
    project_ref: str | int,
    kind: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one stage to the end: first any interrupted job of it (so its items are not
    planned twice), then a new job for whatever is still to do. Returns the new job's
    summary; its total is 0 when everything was already done."""
    _check(kind)
    project_id = _project_id(app, project_ref)
    try:
        for job_id in interrupted_jobs(app, project_id, kind):
            run_job_sync(app, job_id, resume=True, on_progress=on_progress)
        job_id = start_job(app, project_id, kind, **options)
        return run_job_sync(app, job_id, on_progress=on_progress)
    finally:
        app.usage_recorder.flush()

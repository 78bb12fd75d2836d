"""Starting and running generation stages as jobs, for the CLI, the pipeline and scripts."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary, create_job, find_interrupted, run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.generation.estimate import Estimate, estimate_job
from easy_dataset.services.models import resolve_model
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
    file_ids, and per stage: rebuild (tags), count (personas), chunk_ids and tag_ids
    (questions), question_ids, tag_ids and synthesize_cot (answers), template_ids (templates).
    """
    _check(kind)
    return plan_job(app, project_ref, kind, options)


def estimate(app: App, project_ref: str | int, kind: str, **options: Any) -> Estimate:
    """What `start_job` with these options would do (items, model calls, tokens, time), as
    an estimate, without creating anything; every stage calls a model, so every stage has
    one."""
    _check(kind)
    project_id = _project_id(app, project_ref)
    params = {name: value for name, value in options.items() if value is not None}
    return estimate_job(app, project_id, kind, params)


def plan_job(app: App, project_ref: str | int, job_type: str, options: dict[str, Any]) -> int:
    """Plan a project's job from its options (None: left out) and return its id.

    A model configuration named in the options must exist: refused now, with no job
    created, rather than when a runner opens it.
    """
    project_id = _project_id(app, project_ref)
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
    project_id = _project_id(app, project_ref)
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


def run_stage(
    app: App,
    project_ref: str | int,
    kind: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one stage to the end (see `run_to_end`)."""
    _check(kind)
    return run_to_end(app, project_ref, kind, options, on_progress)

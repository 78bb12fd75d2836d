"""Stages by name for every interface: list them, estimate, start or run one in a project.

The stages themselves are modules under `services/generation` and `services/quality`
(see `jobs/stage.py`); importing this module imports those packages, which registers them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# The stage packages first: importing them registers their stages.
from easy_dataset.services import evaluation, generation, quality, training  # noqa: F401  # isort: skip
from easy_dataset.jobs import JobSummary, create_job, find_interrupted, run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.jobs.stage import (
    Group,
    Stage,
    StageParams,
    all_stages,
    check_params,
    find_stage,
    get_stage,
    stored_params,
)
from easy_dataset.services.app import App
from easy_dataset.services.job_support.estimate import Estimate, estimate_job, estimated_types
from easy_dataset.services.models import resolve_model
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Job


class StageInfo(BaseModel):
    """What a stage is and which options it takes (their JSON schema)."""

    name: str
    group: str
    label: dict[str, str] = Field(description="Per language (en, zh).")
    help: dict[str, str] = Field(description="One line per language (en, zh).")
    command: list[str] | None = Field(description="Where the CLI offers it besides `stage`.")
    calls_model: bool
    params: dict[str, Any] = Field(description="JSON schema of the options.")


def stage_info(stage_cls: type[Stage[Any]]) -> StageInfo:
    return StageInfo(
        name=stage_cls.name,
        group=stage_cls.group,
        label=stage_cls.label._asdict(),
        help=stage_cls.help._asdict(),
        command=list(stage_cls.command) if stage_cls.command else None,
        calls_model=calls_model(stage_cls.name),
        params=stage_cls.Params.model_json_schema(),
    )


def list_stages(group: Group | None = None) -> list[StageInfo]:
    return [stage_info(stage_cls) for stage_cls in all_stages(group)]


def calls_model(name: str) -> bool:
    """Whether the stage's items call a model (and so have a cost to estimate)."""
    return name in estimated_types()


def _project_id(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        return find_project(session, project_ref).id


def planned_params(
    app: App, project_id: int, name: str, options: dict[str, Any] | StageParams
) -> dict[str, Any]:
    """The parameters a job of the stage is planned with: the options checked by its
    `Params` (None: left out), then completed from project settings by the stage."""
    stage_cls = get_stage(name)
    checked = options if isinstance(options, StageParams) else check_params(stage_cls, options)
    params = stage_cls().resolve(app, project_id, stored_params(checked))
    if params.get("model"):
        # A configuration that does not exist is refused now, with no job made.
        resolve_model(app, project_id, params["model"])
    return params


def start_stage(app: App, project_ref: str | int, name: str, /, **options: Any) -> int:
    """Plan the stage's work not done yet as a job and return its id; nothing runs yet.
    (Positional-only parameters: a stage may have an option called `name`.)"""
    project_id = _project_id(app, project_ref)
    params = planned_params(app, project_id, name, options)
    return create_job(app, name, project_id=project_id, params=params)


def estimate_stage(app: App, project_ref: str | int, name: str, /, **options: Any) -> Estimate:
    """What `start_stage` with these options would do, creating nothing: the items it would
    plan (exact), and for a stage that calls a model its calls, tokens and time."""
    project_id = _project_id(app, project_ref)
    params = planned_params(app, project_id, name, options)
    if calls_model(name):
        return estimate_job(app, project_id, name, params)
    items = len(get_stage(name)().plan(app, project_id, params))
    return Estimate(
        stage=name,
        items=items,
        calls=0,
        prompt_tokens=0,
        completion_tokens=0,
        seconds=None,
        latency_ms=None,
        latency_calls=0,
        concurrency=1,
        model="",
    )


def run_stage(
    app: App,
    project_ref: str | int,
    name: str,
    /,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run the stage to the end: first any interrupted job of it (so its items are not
    planned twice), then a new one for whatever is still to do. Returns the new job's
    summary (or a resumed one's that paused again); its total is 0 when everything was
    already done."""
    project_id = _project_id(app, project_ref)
    params = planned_params(app, project_id, name, options)
    try:
        for job_id in interrupted_jobs(app, project_id, name):
            resumed = run_job_sync(app, job_id, resume=True, on_progress=on_progress)
            if resumed.status == "paused":
                return resumed  # the endpoint is still down: planning more would not help
        job_id = create_job(app, name, project_id=project_id, params=params)
        summary = run_job_sync(app, job_id, on_progress=on_progress)
        for follow_up in follow_ups(app, job_id):
            run_job_sync(app, follow_up, on_progress=on_progress)
        return summary
    finally:
        app.usage_recorder.flush()


def follow_ups(app: App, job_id: int) -> list[int]:
    """The jobs a finished job's stage plans after it (see `Stage.follow_ups`)."""
    with app.db.session() as session:
        job = session.get(Job, job_id)
        stage_cls = find_stage(job.type) if job is not None else None
        if job is None or job.status != "succeeded" or stage_cls is None:
            return []
    return stage_cls().follow_ups(app, job_id)


def interrupted_jobs(app: App, project_id: int, name: str) -> list[int]:
    """This project's jobs of this stage that wait for a runner."""
    waiting = find_interrupted(app, project_id=project_id)
    with app.db.session() as session:
        return [
            job_id
            for job_id in waiting
            if (job := session.get(Job, job_id)) is not None and job.type == name
        ]

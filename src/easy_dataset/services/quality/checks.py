"""Starting and running quality checks as jobs, for every interface."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary, get_handler
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.job_support.estimate import Estimate, estimate_job, estimated_types
from easy_dataset.services.job_support.runs import plan_job, run_to_end
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality.judge_job import judge_params

# Check name (as the CLI and API spell it) -> job type.
CHECKS = {
    "judge": "quality.judge",
    "ground": "quality.ground",
    "dedup": "quality.dedup",
    "pii": "quality.pii",
    "refs": "quality.refs",
    "contamination": "quality.contamination",
    "sample": "quality.sample",
    "hygiene": "quality.hygiene",
}


def job_type(check: str) -> str:
    if check not in CHECKS:
        raise InputError(f"no quality check {check!r}; the checks are: {', '.join(CHECKS)}")
    return CHECKS[check]


def start_check(app: App, project_ref: str | int, check: str, **options: Any) -> int:
    """Plan a check's job and return its id; nothing runs yet (a runner picks it up)."""
    return plan_job(app, project_ref, job_type(check), options)


def estimate_check(app: App, project_ref: str | int, check: str, **options: Any) -> Estimate:
    """What `start_check` with these options would do, without creating anything: the
    items the job would plan (exact), and for a check that calls a model (judge) its
    calls, tokens and time as `job_support.estimate` gives them; the others make no model
    call (calls and tokens 0, model empty)."""
    kind = job_type(check)
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
    params = {name: value for name, value in options.items() if value is not None}
    if kind == "quality.judge":
        params = judge_params(app, project_id, params)
    if kind in estimated_types():
        return estimate_job(app, project_id, kind, params)
    items = len(get_handler(kind).plan(app, project_id, params))
    return Estimate(
        stage=kind,
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


def run_check(
    app: App,
    project_ref: str | int,
    check: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one check to the end: first any interrupted job of it, then a new one."""
    return run_to_end(app, project_ref, job_type(check), options, on_progress)

"""Starting and running generation stages as jobs, for the CLI, the pipeline and scripts."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.job_support.estimate import Estimate, estimate_job
from easy_dataset.services.job_support.runs import plan_job, project_id_of, run_to_end

# In pipeline order.
STAGES = (
    "tags.build",
    "personas.generate",
    "questions.generate",
    "answers.generate",
    "templates.apply",
)


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
    project_id = project_id_of(app, project_ref)
    params = {name: value for name, value in options.items() if value is not None}
    return estimate_job(app, project_id, kind, params)


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

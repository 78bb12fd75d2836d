""" "Did this dataset help?": the base and the tuned model of a training run scored on one
evaluation set (two `eval.run` jobs), and their results side by side."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from easy_dataset.errors import ConflictError, EasyDatasetError
from easy_dataset.jobs import run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.llm.local import is_embedded_name
from easy_dataset.services.app import App
from easy_dataset.services.evaluation import results as eval_results
from easy_dataset.services.projects import find_project
from easy_dataset.services.stages import start_stage
from easy_dataset.services.training.jobs import TYPE as TRAIN_TYPE
from easy_dataset.services.training.runs import find_run, get_run
from easy_dataset.store.evaluation import EvalRun
from easy_dataset.store.models import Job
from easy_dataset.store.training import TrainingRun

EVAL_STAGE = "eval.run"


class TrainingEvaluation(BaseModel):
    """The base and tuned model's runs on one set, and their comparison once both exist."""

    eval_set: str
    base_model: str
    tuned_model: str
    jobs: list[int] = Field(description="The eval.run jobs: base, then tuned.")
    comparison: eval_results.Comparison | None = Field(
        description="All, per kind and per tag, base first; None until both runs began."
    )
    error: str = Field(default="", description="Why the evaluation could not start.")


def base_model_name(run_base: str, given: str | None) -> str:
    """The model configuration that stands for a run's base model."""
    if given:
        return given
    if is_embedded_name(run_base):
        return "embedded"
    raise ConflictError(
        f"the base model {run_base!r} is not a model configuration; name one that serves it "
        "(base_model_config) to compare against",
        subject="base_model",
    )


def start_evaluation(
    app: App,
    project_ref: str | int,
    run_id: int,
    eval_set: str,
    *,
    base_model_config: str | None = None,
    **options: Any,
) -> list[int]:
    """Plan `eval.run` for the base and the tuned model (judge_model, limit, temperature in
    `options`) and record them on the run; the two job ids, to run or submit."""
    run = get_run(app, project_ref, run_id)
    if run.model_name is None:
        raise ConflictError(
            f"training run {run_id} left no model that can be evaluated (it is {run.status}; "
            "a finished run whose base came from GGUF registers one)",
            subject="tuned_model",
        )
    base = base_model_name(run.base_model, base_model_config)
    jobs = [
        start_stage(app, project_ref, EVAL_STAGE, eval_set=eval_set, model=model, **options)
        for model in (base, run.model_name)
    ]
    with app.db.session() as session:
        row = find_run(session, find_project(session, project_ref).id, run_id)
        record = {"eval_set": eval_set, "base_model": base, "tuned_model": run.model_name}
        row.metrics = {**row.metrics, "evaluation": {**record, "jobs": jobs}}
    return jobs


def evaluation(app: App, project_ref: str | int, run_id: int) -> TrainingEvaluation | None:
    """The run's evaluation as it stands; None when none was started."""
    run = get_run(app, project_ref, run_id)
    record = run.metrics.get("evaluation")
    if not isinstance(record, dict):
        return None
    if record.get("error"):
        return TrainingEvaluation(
            eval_set=str(record.get("eval_set", "")),
            base_model="",
            tuned_model="",
            jobs=[],
            comparison=None,
            error=str(record["error"]),
        )
    jobs = [int(job) for job in record.get("jobs", [])]
    with app.db.session() as session:
        found = {
            row.job_id: row.id
            for row in session.scalars(select(EvalRun).where(EvalRun.job_id.in_(jobs)))
        }
    eval_runs = [found[job] for job in jobs if job in found]
    comparison = (
        eval_results.compare_runs(app, project_ref, eval_runs)
        if len(eval_runs) == len(jobs) == 2
        else None
    )
    return TrainingEvaluation(
        eval_set=str(record["eval_set"]),
        base_model=str(record["base_model"]),
        tuned_model=str(record["tuned_model"]),
        jobs=jobs,
        comparison=comparison,
    )


def evaluate_run(
    app: App,
    project_ref: str | int,
    run_id: int,
    eval_set: str,
    *,
    base_model_config: str | None = None,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> TrainingEvaluation:
    """Score the base and the tuned model on `eval_set` now, one job after the other."""
    jobs = start_evaluation(
        app, project_ref, run_id, eval_set, base_model_config=base_model_config, **options
    )
    return run_evaluation(app, project_ref, run_id, jobs, on_progress=on_progress)


def run_evaluation(
    app: App,
    project_ref: str | int,
    run_id: int,
    jobs: list[int],
    *,
    on_progress: ProgressCallback | None = None,
) -> TrainingEvaluation:
    """Run the planned evaluation jobs here, one after the other, and return the result."""
    try:
        for job_id in jobs:
            run_job_sync(app, job_id, on_progress=on_progress)
    finally:
        app.usage_recorder.flush()
    found = evaluation(app, project_ref, run_id)
    assert found is not None
    return found


def evaluation_after(app: App, job_id: int) -> tuple[int, list[int]] | None:
    """After a `train.run` job that asked for it (`eval_set`) and succeeded: plan its
    evaluation, once; (run id, the jobs to run). A reason it cannot start is recorded on
    the run, where every interface shows it."""
    with app.db.session() as session:
        job = session.get(Job, job_id)
        if job is None or job.type != TRAIN_TYPE or job.status != "succeeded":
            return None
        eval_set = (job.params or {}).get("eval_set")
        run = session.scalar(select(TrainingRun).where(TrainingRun.job_id == job_id))
        if not eval_set or run is None or "evaluation" in run.metrics:
            return None
        project_id, run_id = run.project_id, run.id
        base_config = job.params.get("eval_base_model")
    try:
        jobs = start_evaluation(app, project_id, run_id, eval_set, base_model_config=base_config)
    except EasyDatasetError as exc:
        with app.db.session() as session:
            row = find_run(session, project_id, run_id)
            row.metrics = {**row.metrics, "evaluation": {"eval_set": eval_set, "error": str(exc)}}
        return run_id, []
    return run_id, jobs

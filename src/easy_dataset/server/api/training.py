"""Training runs: list them, read one (settings, progress, loss curves, outputs), and
score its base and tuned model on an evaluation set.

Runs are started like every stage: `POST /api/projects/{p}/stages/train.run`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.errors import NotFoundError
from easy_dataset.server.api.common import IdPath, ProjectRef
from easy_dataset.server.deps import Core, submit_job
from easy_dataset.services import training
from easy_dataset.services.training import TrainingRunView
from easy_dataset.services.training import evaluation as training_evaluation
from easy_dataset.services.training.evaluation import TrainingEvaluation

router = APIRouter(prefix="/projects/{project}/training-runs", tags=["training"])


@router.get("")
def list_runs(project: ProjectRef, core: Core) -> list[TrainingRunView]:
    """The project's training runs, newest first."""
    return training.list_runs(core, project)


@router.get("/{run_id}")
def get_run(project: ProjectRef, run_id: IdPath, core: Core) -> TrainingRunView:
    """One run: status, step, ETA, curves, final metrics and output folders."""
    return training.get_run(core, project, run_id)


class EvaluateRequest(BaseModel):
    """Which set to score the base and the tuned model on, and how."""

    model_config = ConfigDict(extra="forbid")

    eval_set: str = Field(min_length=1, max_length=200)
    base_model_config: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The model configuration serving the base (default: embedded).",
    )
    judge_model: str | None = Field(default=None, min_length=1, max_length=200)
    limit: int | None = Field(default=None, ge=1, le=1_000_000)


@router.post("/{run_id}/evaluate", status_code=202)
def evaluate(
    project: ProjectRef, run_id: IdPath, body: EvaluateRequest, request: Request, core: Core
) -> TrainingEvaluation:
    """Score the base and the tuned model on an evaluation set (two eval.run jobs, queued);
    `GET .../evaluation` shows the comparison once both have run."""
    options = body.model_dump(exclude_none=True, exclude={"eval_set", "base_model_config"})
    jobs = training_evaluation.start_evaluation(
        core,
        project,
        run_id,
        body.eval_set,
        base_model_config=body.base_model_config,
        **options,
    )
    for job_id in jobs:
        submit_job(request, job_id)
    found = training_evaluation.evaluation(core, project, run_id)
    assert found is not None
    return found


@router.get("/{run_id}/evaluation")
def get_evaluation(project: ProjectRef, run_id: IdPath, core: Core) -> TrainingEvaluation:
    """The base and the tuned model side by side on the run's evaluation set: all, per kind
    and per tag (comparison is null until both evaluations have begun)."""
    found = training_evaluation.evaluation(core, project, run_id)
    if found is None:
        raise NotFoundError(
            f"training run {run_id} has no evaluation; start one with POST .../evaluate",
            subject="evaluation",
        )
    return found

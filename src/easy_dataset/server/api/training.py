"""Training runs: list them, read one (settings, progress, loss curves, outputs), score
its base and tuned model on an evaluation set; and the files to train with LLaMA-Factory
instead.

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
from easy_dataset.services.training.launch import (
    TrainingConfig,
    TrainingConfigRequest,
    training_config,
)

router = APIRouter(prefix="/projects/{project}", tags=["training"])


@router.get("/training-runs")
def list_runs(project: ProjectRef, core: Core) -> list[TrainingRunView]:
    """The project's training runs, newest first."""
    return training.list_runs(core, project)


@router.get("/training-runs/{run_id}")
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


@router.post("/training-runs/{run_id}/evaluate", status_code=202)
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


@router.get("/training-runs/{run_id}/evaluation")
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


@router.post("/training-config")
def config(project: ProjectRef, body: TrainingConfigRequest, core: Core) -> TrainingConfig:
    """LLaMA-Factory's training YAML for these settings (with the accelerate configuration
    and launch script for several GPUs) and the dataset's dataset_info.json entry, as text:
    nothing is written. The samples are the export in `messages` format (`GET
    /api/projects/{p}/export?format=messages`, with `system` set to `system_prompt`),
    saved as `data_file` beside dataset_info.json."""
    return training_config(core, project, body)

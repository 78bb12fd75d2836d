"""Training runs: list them and read one (settings, progress, loss curves, outputs); and the
files to train with LLaMA-Factory instead.

Runs are started like every stage: `POST /api/projects/{p}/stages/train.run`."""

from __future__ import annotations

from fastapi import APIRouter

from easy_dataset.server.api.common import IdPath, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import training
from easy_dataset.services.training import TrainingRunView
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


@router.post("/training-config")
def config(project: ProjectRef, body: TrainingConfigRequest, core: Core) -> TrainingConfig:
    """LLaMA-Factory's training YAML for these settings (with the accelerate configuration
    and launch script for several GPUs) and the dataset's dataset_info.json entry, as text:
    nothing is written. The samples are the export in `messages` format (`GET
    /api/projects/{p}/export?format=messages`, with `system` set to `system_prompt`),
    saved as `data_file` beside dataset_info.json."""
    return training_config(core, project, body)

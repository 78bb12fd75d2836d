"""Training runs: list them and read one (settings, progress, loss curves, outputs).

Runs are started like every stage: `POST /api/projects/{p}/stages/train.run`."""

from __future__ import annotations

from fastapi import APIRouter

from easy_dataset.server.api.common import IdPath, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import training
from easy_dataset.services.training import TrainingRunView

router = APIRouter(prefix="/projects/{project}/training-runs", tags=["training"])


@router.get("")
def list_runs(project: ProjectRef, core: Core) -> list[TrainingRunView]:
    """The project's training runs, newest first."""
    return training.list_runs(core, project)


@router.get("/{run_id}")
def get_run(project: ProjectRef, run_id: IdPath, core: Core) -> TrainingRunView:
    """One run: status, step, ETA, curves, final metrics and output folders."""
    return training.get_run(core, project, run_id)

"""Starting and resuming training runs: the use cases behind `train run` / `train resume`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from easy_dataset.errors import ConflictError
from easy_dataset.jobs import run_job_sync
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.stages import run_stage
from easy_dataset.services.training.jobs import TYPE
from easy_dataset.services.training.runs import TrainingRunView, get_run, view
from easy_dataset.store.training import TrainingRun


def train(
    app: App, project_ref: str | int, *, on_progress: ProgressCallback | None = None, **options: Any
) -> TrainingRunView | None:
    """Run `train.run` with these options to its end, then the evaluation it asks for
    (`eval_set`), and return the run; None when the same settings were already trained on
    the data as it is."""
    summary = run_stage(app, project_ref, TYPE, on_progress=on_progress, **options)
    with app.db.session() as session:
        row = session.scalar(select(TrainingRun).where(TrainingRun.job_id == summary.job_id))
        return view(row) if row is not None else None


def resume_run(
    app: App, project_ref: str | int, run_id: int, *, on_progress: ProgressCallback | None = None
) -> TrainingRunView:
    """Go on with a stopped run (killed, cancelled) from its last checkpoint."""
    run = get_run(app, project_ref, run_id)
    if run.job_id is None or run.status == "done":
        raise ConflictError(
            f"training run {run_id} is {run.status}; nothing to resume", subject="not_interrupted"
        )
    run_job_sync(app, run.job_id, resume=True, on_progress=on_progress)
    return get_run(app, project_ref, run_id)

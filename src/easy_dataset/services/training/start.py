"""Starting and resuming training runs: the use cases behind `train run` / `train resume`
and the web screen's buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from easy_dataset.errors import ConflictError
from easy_dataset.jobs import retry_failed, run_job_sync
from easy_dataset.jobs.lease import load_job
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.jobs.workers import worker_gone
from easy_dataset.services.app import App
from easy_dataset.services.stages import follow_ups, run_stage
from easy_dataset.services.training.jobs import TYPE
from easy_dataset.services.training.runs import TrainingRunView, get_run, view
from easy_dataset.store.base import utcnow
from easy_dataset.store.training import TrainingRun
from easy_dataset.train.extra import require_train


def check_extra() -> None:
    """Raise `MissingExtraError` (with the install hint) when the `train` extra is missing,
    so that no run is started only to fail."""
    require_train("fine-tuning")


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


def reopen_run(app: App, project_ref: str | int, run_id: int) -> int:
    """Make a stopped run's job (killed, cancelled, failed) ready to go on from its last
    checkpoint, and return the job's id for a runner; nothing runs yet."""
    run = get_run(app, project_ref, run_id)
    if run.job_id is None or run.status == "done":
        raise ConflictError(
            f"training run {run_id} is {run.status}; nothing to resume", subject="not_interrupted"
        )
    job = load_job(app, run.job_id)
    if job.status == "running" and not worker_gone(job.worker, job.heartbeat_at, utcnow()):
        raise ConflictError(
            f"training run {run_id} is running; cancel it first to stop it",
            subject="not_interrupted",
        )
    # A failed run's item failed with it: back to pending, so the job takes it up again.
    retry_failed(app, run.job_id)
    return run.job_id


def resume_run(
    app: App, project_ref: str | int, run_id: int, *, on_progress: ProgressCallback | None = None
) -> TrainingRunView:
    """Go on with a stopped run (killed, cancelled, failed) from its last checkpoint."""
    job_id = reopen_run(app, project_ref, run_id)
    # Not `resume=True`: that takes only interrupted jobs, and a cancelled one is not.
    run_job_sync(app, job_id, on_progress=on_progress)
    for follow_up in follow_ups(app, job_id):  # the evaluation the run asked for
        run_job_sync(app, follow_up, on_progress=on_progress)
    return get_run(app, project_ref, run_id)

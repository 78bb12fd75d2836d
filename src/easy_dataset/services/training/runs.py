"""Training runs as stored: their rows, views for every interface, progress written as it
happens, and the tuned model's registration as a model configuration."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import ModelConfigRow
from easy_dataset.store.training import TrainingRun
from easy_dataset.train.loop import StepReport
from easy_dataset.train.results import curves

# Progress is written at most this often between evaluations and checkpoints.
WRITE_EVERY_SECONDS = 1.0


class TrainingRunView(BaseModel):
    """A training run as listed and shown."""

    id: int
    job_id: int | None
    name: str
    method: str
    base_model: str
    status: str = Field(description="pending, running, cancelled, done or failed.")
    step: int
    total_steps: int
    eta_seconds: float | None
    settings: dict[str, Any]
    curves: dict[str, Any] = Field(description="train, validation, learning_rate: [[step, v]].")
    metrics: dict[str, Any]
    outputs: dict[str, Any]
    model_name: str | None = Field(description="The tuned model's model configuration.")
    error: str
    created_at: datetime
    updated_at: datetime


def view(row: TrainingRun) -> TrainingRunView:
    return TrainingRunView.model_validate(row, from_attributes=True)


def list_runs(app: App, project_ref: str | int) -> list[TrainingRunView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.scalars(
            select(TrainingRun)
            .where(TrainingRun.project_id == project.id)
            .order_by(TrainingRun.id.desc())
        )
        return [view(row) for row in rows]


def get_run(app: App, project_ref: str | int, run_id: int) -> TrainingRunView:
    with app.db.session() as session:
        return view(find_run(session, find_project(session, project_ref).id, run_id))


def find_run(session: Session, project_id: int, run_id: int) -> TrainingRun:
    """The project's run `run_id`, in this session; NotFoundError when it has none."""
    row = session.get(TrainingRun, run_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no training run {run_id} in this project", subject="training_run")
    return row


def run_for_job(app: App, project_id: int, job_id: int, name: str, settings: dict[str, Any]) -> int:
    """The run of a job: the one it started before (resumed), else a new one."""
    with app.db.session() as session:
        found = session.scalar(select(TrainingRun).where(TrainingRun.job_id == job_id))
        if found is None:
            found = TrainingRun(
                project_id=project_id,
                job_id=job_id,
                name=name or f"run of job {job_id}",
                method=str(settings.get("method", "lora")),
                base_model=str(settings.get("base_model", "embedded")),
                settings=settings,
                curves={},
                metrics={},
                outputs={},
            )
            session.add(found)
        found.status = "running"
        found.error = ""
        session.flush()
        return found.id


def set_status(app: App, run_id: int, status: str, error: str = "") -> None:
    with app.db.session() as session:
        row = session.get(TrainingRun, run_id)
        if row is not None:
            row.status = status
            row.error = error
            if status != "running":
                row.eta_seconds = None


class ProgressWriter:
    """Writes a run's step, ETA and curves to its row: on every evaluation and checkpoint,
    and otherwise at most once a second (called from the training thread)."""

    def __init__(self, app: App, run_id: int) -> None:
        self.app = app
        self.run_id = run_id
        self.written = 0.0

    def __call__(self, report: StepReport) -> None:
        now = time.monotonic()
        last = report.step == report.total_steps
        if report.phase == "step" and not last and now - self.written < WRITE_EVERY_SECONDS:
            return
        self.written = now
        with self.app.db.session() as session:
            row = session.get(TrainingRun, self.run_id)
            if row is None:
                return
            row.step = report.step
            row.total_steps = report.total_steps
            row.eta_seconds = report.eta_seconds
            row.curves = curves(report.run)


def finish_run(
    session: Session,
    run_id: int,
    result: dict[str, Any],
) -> None:
    """Store a finished run's figures and outputs and register its tuned model (in the
    transaction that marks the job's item done)."""
    row = session.get(TrainingRun, run_id)
    if row is None:
        raise NotFoundError(f"training run {run_id} is gone", subject="training_run")
    row.status = "done"
    row.step = int(result["metrics"].get("steps", row.step))
    row.eta_seconds = None
    row.curves = result["curves"]
    row.metrics = result["metrics"]
    row.outputs = result["outputs"]
    row.model_name = register_tuned_model(session, row)


def register_tuned_model(session: Session, row: TrainingRun) -> str | None:
    """A model configuration for the tuned model, usable wherever models are chosen; None
    when the run wrote no file the embedded runtime can load (a GGUF)."""
    gguf = row.outputs.get("gguf")
    if not gguf:
        return None
    base = f"tuned-{row.id}"
    taken = set(
        session.scalars(
            select(ModelConfigRow.name).where(ModelConfigRow.project_id == row.project_id)
        )
    )
    name = base if base not in taken else f"{base}-{len(taken)}"
    config = ModelConfig(name=name, provider="local", model=str(gguf))
    session.add(
        ModelConfigRow(
            project_id=row.project_id,
            name=name,
            settings=config.model_dump(mode="json"),
            is_default=False,
        )
    )
    return name

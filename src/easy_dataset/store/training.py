"""Training runs: one fine-tuning job's settings, progress, loss curves and results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from easy_dataset.store.base import Base, utcnow


class TrainingRun(Base):
    """A fine-tuning run, the one item of its `train.run` job.

    status: pending | running | cancelled | done | failed. `curves` holds
    {"train": [[step, loss]...], "validation": [...], "learning_rate": [...]}; `metrics` the
    final figures (best validation loss and its step, tokens, seconds, trainable parameters);
    `outputs` the folders and files written (adapter, merged, report, checkpoints);
    `model_name` the model configuration registered for the tuned model.
    """

    __tablename__ = "training_runs"
    __table_args__ = (Index("ix_training_runs_project", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20))
    base_model: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    step: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    eta_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    curves: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Every table, registered on one metadata: what Alembic and the tests compare against."""

from __future__ import annotations

from easy_dataset.store import dataset, evaluation, models, training
from easy_dataset.store.base import Base

__all__ = ["Base", "dataset", "evaluation", "models", "training"]

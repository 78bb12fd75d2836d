"""Where model calls are written: the usage log (`llm_calls`) and the response cache."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from easy_dataset.llm.types import CallRecord
from easy_dataset.store.models import Job, LLMCall, ModelConfigRow, ResponseCacheEntry

if TYPE_CHECKING:
    from easy_dataset.services.app import App


# The log keeps the calls of what was deleted, counted in the totals but attributed to
# nothing: SQLite gives the next project, job or configuration the id of a deleted one, which
# must not inherit its calls, tokens and errors. Both are called in the deleting session.


def detach_project_calls(session: Session, project_id: int) -> None:
    """Clear the project's, its jobs' and its configurations' ids from their log rows."""
    jobs = select(Job.id).where(Job.project_id == project_id)
    configs = select(ModelConfigRow.id).where(ModelConfigRow.project_id == project_id)
    session.execute(
        update(LLMCall)
        .where(
            or_(
                LLMCall.project_id == project_id,
                LLMCall.job_id.in_(jobs),
                LLMCall.model_config_id.in_(configs),
            )
        )
        .values(project_id=None, job_id=None, model_config_id=None)
        .execution_options(synchronize_session=False)
    )


def detach_config_calls(session: Session, model_config_id: int) -> None:
    """Clear a model configuration's id from its log rows."""
    session.execute(
        update(LLMCall)
        .where(LLMCall.model_config_id == model_config_id)
        .values(model_config_id=None)
        .execution_options(synchronize_session=False)
    )


class DatabaseRecorder:
    """Buffers call records and writes them in batches, so logging costs little per call.

    A batch is written when it reaches `batch_size` records or `interval` seconds have
    passed since the last write, and on `flush()` (jobs and commands flush when they end).
    A hard kill can lose at most the last unflushed batch of log rows, never job results.
    """

    def __init__(self, app: App, *, batch_size: int = 200, interval: float = 0.5) -> None:
        self._app = app
        self._batch_size = batch_size
        self._interval = interval
        self._buffer: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def __call__(self, record: CallRecord) -> None:
        row = {
            "project_id": record.project_id,
            "job_id": record.job_id,
            "model_config_id": record.model_config_id,
            "endpoint": record.endpoint,
            "model": record.model,
            "prompt_tokens": record.prompt_tokens,
            "completion_tokens": record.completion_tokens,
            "usage_estimated": record.usage_estimated,
            "latency_ms": record.latency_ms,
            "status": record.status,
            "error_kind": record.error_kind,
            "error": record.error,
            "cached": record.cached,
            "created_at": record.created_at,
        }
        with self._lock:
            self._buffer.append(row)
            due = (
                len(self._buffer) >= self._batch_size
                or time.monotonic() - self._last_flush >= self._interval
            )
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            rows, self._buffer = self._buffer, []
            self._last_flush = time.monotonic()
        if rows:
            with self._app.db.session() as session:
                session.execute(insert(LLMCall), rows)


class DatabaseCache:
    """Model replies in `llm_cache`, keyed by the hash of their request."""

    def __init__(self, app: App) -> None:
        self._app = app

    def get(self, key: str) -> dict[str, Any] | None:
        with self._app.db.session() as session:
            entry = session.get(ResponseCacheEntry, key)
            return dict(entry.response) if entry else None

    def put(self, key: str, response: dict[str, Any]) -> None:
        with self._app.db.session() as session:
            if session.bind is not None and session.bind.dialect.name == "sqlite":
                statement = sqlite_insert(ResponseCacheEntry).values(key=key, response=response)
                session.execute(statement.on_conflict_do_nothing())
            elif session.get(ResponseCacheEntry, key) is None:
                session.add(ResponseCacheEntry(key=key, response=response))

"""Recording one item's outcome: item row, domain rows and job counters in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON
from sqlalchemy.orm import Session

from easy_dataset.errors import ModelCallError
from easy_dataset.jobs.env import JobEnv
from easy_dataset.jobs.handlers import JobHandler
from easy_dataset.jobs.sql import LeanStatement
from easy_dataset.store.base import UTCDateTime, utcnow
from easy_dataset.store.models import Job, JobItem

MAX_MESSAGE = 2000
MAX_KIND = 30  # JobFailure.kind's column width


@dataclass(frozen=True)
class Failure:
    """Why an item failed, as stored in `job_failures`."""

    kind: str
    message: str
    raw_output: str | None = None


@dataclass(frozen=True)
class PendingItem:
    """An item as the run found it: what it needs to process and record it."""

    id: int
    key: str
    attempts: int


@dataclass(frozen=True)
class Recorded:
    """What a completion changed, and the job's flags read in the same transaction."""

    applied: bool  # False: the item was no longer pending, so nothing was written
    cancel_requested: bool
    worker: str | None  # who holds the job now; another name means this run lost it


def describe_failure(exc: BaseException) -> Failure:
    """Kind, one-line message and raw model output for an exception raised by a handler."""
    if isinstance(exc, ModelCallError):
        kind = exc.kind
    elif isinstance(exc, TimeoutError):
        kind = "timeout"
    elif isinstance(exc, ValidationError):
        kind = "validation"
    else:
        kind = type(exc).__name__
    message = " ".join(str(exc).split()) or type(exc).__name__
    raw = getattr(exc, "raw_output", None)
    return Failure(
        kind=kind[:MAX_KIND],
        message=message[:MAX_MESSAGE],
        raw_output=raw if isinstance(raw, str) else None,
    )


# Fixed SQL run directly on the cursor: a completion's statements are on the hot path of every
# job, and built through the ORM they would cost more CPU than the model call they record.
_SUCCEED_ITEM = LeanStatement(
    "UPDATE job_items SET status = 'succeeded', result = :result, attempts = attempts + 1,"
    " updated_at = :now WHERE id = :item_id AND status = 'pending'",
    result=JSON(),
    now=UTCDateTime(),
)
_FAIL_ITEM = LeanStatement(
    "UPDATE job_items SET status = 'failed', attempts = attempts + 1, updated_at = :now"
    " WHERE id = :item_id AND status = 'pending'",
    now=UTCDateTime(),
)
_ADD_FAILURE = LeanStatement(
    "INSERT INTO job_failures (job_id, item_id, kind, message, raw_output, attempt, created_at)"
    " VALUES (:job_id, :item_id, :kind, :message, :raw_output,"
    " (SELECT attempts FROM job_items WHERE id = :item_id), :now)",
    now=UTCDateTime(),
)
# Arithmetic in SQL, not read-modify-write in Python, so concurrent writers add up.
_COUNT_SUCCESS = LeanStatement(
    "UPDATE jobs SET succeeded = succeeded + 1, pending = pending - 1 WHERE id = :job_id"
)
_COUNT_FAILURE = LeanStatement(
    "UPDATE jobs SET failed = failed + 1, pending = pending - 1 WHERE id = :job_id"
)
_FLAGS = LeanStatement("SELECT cancel_requested, worker FROM jobs WHERE id = :job_id")


def _flags(session: Session, job_id: int, applied: bool) -> Recorded:
    cancel_requested, worker = _FLAGS.one(session, {"job_id": job_id})
    return Recorded(applied=applied, cancel_requested=bool(cancel_requested), worker=worker)


def record_success(
    app: JobEnv, handler: JobHandler[Any], job: Job, item: PendingItem, result: dict[str, Any]
) -> Recorded:
    """Mark the item succeeded, let the handler write its rows, count it: all or nothing."""
    now = utcnow()
    with app.db.session() as session:
        # The status guard makes a second completion of the same item (a resumed runner
        # racing a slow one) change nothing instead of counting it twice.
        params = {"result": result, "now": now, "item_id": item.id}
        applied = _SUCCEED_ITEM.rowcount(session, params) == 1
        if applied:
            if handler.has_commit():
                # A snapshot of the row as just written; loading it would double the cost.
                row = JobItem(
                    id=item.id,
                    job_id=job.id,
                    key=item.key,
                    status="succeeded",
                    attempts=item.attempts + 1,
                    result=result,
                    updated_at=now,
                )
                handler.commit(session, job, row, result)
                session.flush()
            _COUNT_SUCCESS.rowcount(session, {"job_id": job.id})
        return _flags(session, job.id, applied)


def record_failure(app: JobEnv, job_id: int, item: PendingItem, failure: Failure) -> Recorded:
    """Mark the item failed, keep why in `job_failures`, count it: all or nothing."""
    now = utcnow()
    with app.db.session() as session:
        applied = _FAIL_ITEM.rowcount(session, {"now": now, "item_id": item.id}) == 1
        if applied:
            _ADD_FAILURE.rowcount(
                session,
                {
                    "job_id": job_id,
                    "item_id": item.id,
                    "kind": failure.kind,
                    "message": failure.message,
                    "raw_output": failure.raw_output,
                    "now": now,
                },
            )
            _COUNT_FAILURE.rowcount(session, {"job_id": job_id})
        return _flags(session, job_id, applied)

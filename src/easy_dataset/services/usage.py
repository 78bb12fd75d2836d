"""Usage totals from the log of model calls: calls, errors and tokens by model, job, day.

A call the user's own cancellation stopped (error kind "cancelled") is no error: it is
counted apart as `cancelled`, and error rates are over the calls that ran to an end."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import LLMCall

GroupBy = Literal["model", "job", "project", "day"]

CANCELLED = "cancelled"
# Call failures the client retries by itself (llm/retry.py), while attempts are left;
# "http" only for the server's own errors (5xx).
RETRIED_KINDS = ("timeout", "connection", "rate_limit")


class UsageRow(BaseModel):
    key: str
    calls: int
    errors: int  # failed calls, the user's cancellations not included
    cancelled: int  # calls stopped because the user cancelled their job
    cached: int
    prompt_tokens: int
    completion_tokens: int
    mean_latency_ms: float


def _keys() -> dict[str, Any]:
    return {
        "model": LLMCall.model,
        "job": LLMCall.job_id,
        "project": LLMCall.project_id,
        "day": func.date(LLMCall.created_at),
    }


def _filtered(
    session: Session,
    query: Select[Any],
    project_ref: str | int | None,
    job_id: int | None,
    since: datetime | None,
) -> Select[Any]:
    if project_ref is not None:
        query = query.where(LLMCall.project_id == find_project(session, project_ref).id)
    if job_id is not None:
        query = query.where(LLMCall.job_id == job_id)
    if since is not None:
        query = query.where(LLMCall.created_at >= since)
    return query


def usage_totals(
    app: App,
    *,
    project_ref: str | int | None = None,
    job_id: int | None = None,
    group_by: GroupBy = "model",
    since: datetime | None = None,
) -> list[UsageRow]:
    """Calls, errors and tokens grouped by model, job, project or day."""
    app.usage_recorder.flush()
    key = _keys()[group_by]
    cancelled = func.coalesce(LLMCall.error_kind, "") == CANCELLED
    query = select(
        key,
        func.count(),
        func.sum(case(((LLMCall.status == "error") & ~cancelled, 1), else_=0)),
        func.sum(case(((LLMCall.status == "error") & cancelled, 1), else_=0)),
        func.sum(case((LLMCall.cached.is_(True), 1), else_=0)),
        func.coalesce(func.sum(LLMCall.prompt_tokens), 0),
        func.coalesce(func.sum(LLMCall.completion_tokens), 0),
        func.avg(LLMCall.latency_ms),
    ).group_by(key)
    with app.db.session() as session:
        query = _filtered(session, query, project_ref, job_id, since)
        rows = session.execute(query.order_by(key)).all()
    return [
        UsageRow(
            key=str(row[0]),
            calls=row[1],
            errors=row[2] or 0,
            cancelled=row[3] or 0,
            cached=row[4] or 0,
            prompt_tokens=row[5],
            completion_tokens=row[6],
            mean_latency_ms=round(float(row[7] or 0), 1),
        )
        for row in rows
    ]


class ErrorRate(BaseModel):
    """How many of a group's model calls failed, and of which kinds."""

    key: str
    calls: int
    errors: int  # the user's cancellations not included
    cancelled: int = 0  # calls stopped by the user's cancelling their job
    error_rate: float  # errors / (calls - cancelled), 0 when no call ran to an end
    kinds: dict[str, int]  # failed calls by error kind (rate_limit, timeout, parse...)


def error_rates(
    app: App,
    *,
    project_ref: str | int | None = None,
    job_id: int | None = None,
    group_by: GroupBy | None = "model",
    since: datetime | None = None,
) -> list[ErrorRate]:
    """The share of logged model calls with an error status, per group (None: one "all" row)."""
    app.usage_recorder.flush()
    key = _keys()[group_by] if group_by is not None else literal("all")
    failed = LLMCall.status == "error"
    kind = case((failed, func.coalesce(LLMCall.error_kind, "unknown")), else_=None)
    query = select(key, kind, func.count()).group_by(key, kind)
    with app.db.session() as session:
        query = _filtered(session, query, project_ref, job_id, since)
        rows = session.execute(query.order_by(key)).all()
    grouped: dict[str, ErrorRate] = {}
    for group, error_kind, count in rows:
        row = grouped.setdefault(
            str(group), ErrorRate(key=str(group), calls=0, errors=0, error_rate=0.0, kinds={})
        )
        row.calls += count
        if error_kind == CANCELLED:
            row.cancelled += count
        elif error_kind is not None:
            row.errors += count
            row.kinds[error_kind] = row.kinds.get(error_kind, 0) + count
    for row in grouped.values():
        ended = row.calls - row.cancelled
        row.error_rate = round(row.errors / ended, 4) if ended else 0.0
    if group_by is None and not grouped:
        return [ErrorRate(key="all", calls=0, errors=0, error_rate=0.0, kinds={})]
    return list(grouped.values())


class JobCalls(BaseModel):
    """The model calls made for one job: how many, which failed, which were retried.

    Every attempt is a row of the usage log, so a call that timed out and then succeeded
    on its next attempt shows here although the job's items all succeeded."""

    calls: int  # attempts, cached replies and cancellations included
    failed: int  # failed attempts, the user's cancellations not included
    retried: int  # failed attempts the client tried again (an item did not fail on them)
    cancelled: int  # attempts stopped because the job was cancelled
    kinds: dict[str, int]  # failed attempts by error kind
    retried_kinds: dict[str, int]  # of those, the ones retried, by kind


def job_calls(
    app: App, job_ids: list[int], final_failures: dict[int, dict[str, int]] | None = None
) -> dict[int, JobCalls]:
    """Per job, its logged model calls; `final_failures` (job -> item failures by kind, as
    stored now) tells retried attempts from those that failed an item in the end."""
    app.usage_recorder.flush()
    found = {
        job_id: JobCalls(calls=0, failed=0, retried=0, cancelled=0, kinds={}, retried_kinds={})
        for job_id in job_ids
    }
    if not job_ids:
        return found
    kind = case(
        (LLMCall.status == "error", func.coalesce(LLMCall.error_kind, "unknown")), else_=None
    )
    retryable = case(
        (LLMCall.error_kind.in_(RETRIED_KINDS), 1),
        ((LLMCall.error_kind == "http") & LLMCall.error.like("%HTTP 5%"), 1),
        else_=0,
    )
    query = (
        select(LLMCall.job_id, kind, retryable, func.count())
        .where(LLMCall.job_id.in_(job_ids))
        .group_by(LLMCall.job_id, kind, retryable)
    )
    with app.db.session() as session:
        rows = session.execute(query).all()
    again: dict[tuple[int, str], int] = {}
    for job_id, error_kind, may_retry, count in rows:
        summary = found[job_id]
        summary.calls += count
        if error_kind == CANCELLED:
            summary.cancelled += count
        elif error_kind is not None:
            summary.failed += count
            summary.kinds[error_kind] = summary.kinds.get(error_kind, 0) + count
            if may_retry:
                again[job_id, error_kind] = again.get((job_id, error_kind), 0) + count
    for (job_id, error_kind), count in again.items():
        # The attempts that ended an item's last try were not retried.
        final = (final_failures or {}).get(job_id, {}).get(error_kind, 0)
        retried = max(0, count - final)
        if retried:
            summary = found[job_id]
            summary.retried_kinds[error_kind] = retried
            summary.retried += retried
    return found

"""Usage totals from the log of model calls: calls, errors and tokens by model, job, day."""

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


class UsageRow(BaseModel):
    key: str
    calls: int
    errors: int
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
    query = select(
        key,
        func.count(),
        func.sum(case((LLMCall.status == "error", 1), else_=0)),
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
            cached=row[3] or 0,
            prompt_tokens=row[4],
            completion_tokens=row[5],
            mean_latency_ms=round(float(row[6] or 0), 1),
        )
        for row in rows
    ]


class ErrorRate(BaseModel):
    """How many of a group's model calls failed, and of which kinds."""

    key: str
    calls: int
    errors: int
    error_rate: float  # errors / calls, 0 when there were no calls
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
        if error_kind is not None:
            row.errors += count
            row.kinds[error_kind] = row.kinds.get(error_kind, 0) + count
    for row in grouped.values():
        row.error_rate = round(row.errors / row.calls, 4) if row.calls else 0.0
    if group_by is None and not grouped:
        return [ErrorRate(key="all", calls=0, errors=0, error_rate=0.0, kinds={})]
    return list(grouped.values())

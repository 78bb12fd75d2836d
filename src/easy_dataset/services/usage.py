"""Usage totals from the log of model calls: calls, errors and tokens by model, job, day."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import case, func, select

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
    keys = {
        "model": LLMCall.model,
        "job": LLMCall.job_id,
        "project": LLMCall.project_id,
        "day": func.date(LLMCall.created_at),
    }
    key = keys[group_by]
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
        if project_ref is not None:
            query = query.where(LLMCall.project_id == find_project(session, project_ref).id)
        if job_id is not None:
            query = query.where(LLMCall.job_id == job_id)
        if since is not None:
            query = query.where(LLMCall.created_at >= since)
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

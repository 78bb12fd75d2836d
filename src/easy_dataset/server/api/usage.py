"""Usage of models from the call log: calls, tokens and latency, and error rates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from easy_dataset.server.api.common import MAX_ID, Limit, Offset, Page, page_of
from easy_dataset.server.deps import Core
from easy_dataset.services.usage import ErrorRate, GroupBy, UsageRow, error_rates, usage_totals

router = APIRouter(prefix="/usage", tags=["usage"])

ProjectFilter = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Only this project's calls.")
]
JobFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this job's calls.")]
Since = Annotated[datetime | None, Query(description="Only calls from this time on (UTC).")]


class ErrorReport(Page[ErrorRate]):
    overall: ErrorRate  # all the calls matching the filters, in one row


@router.get("")
def totals(
    core: Core,
    by: GroupBy = "model",
    project: ProjectFilter = None,
    job: JobFilter = None,
    since: Since = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UsageRow]:
    """Calls, errors, cached replies, tokens and mean latency by model, job, project or day."""
    rows = usage_totals(core, project_ref=project, job_id=job, group_by=by, since=since)
    return page_of(rows, limit, offset)


@router.get("/errors")
def errors(
    core: Core,
    by: GroupBy | Literal["all"] = "model",
    project: ProjectFilter = None,
    job: JobFilter = None,
    since: Since = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ErrorReport:
    """The share of model calls that failed, with the kinds of failure, per group."""
    group = None if by == "all" else by
    rows = error_rates(core, project_ref=project, job_id=job, group_by=group, since=since)
    [overall] = error_rates(core, project_ref=project, job_id=job, group_by=None, since=since)
    page = page_of(rows, limit, offset)
    return ErrorReport(items=page.items, total=page.total, overall=overall)

"""Evaluation runs read back: the list, one run's report (overall, per kind and per top-level
tag: n, mean, 95 % interval), its per-item results, and several runs on one set compared
side by side."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.stats import Estimate, ScoredItem, breakdown, estimate, top_tag
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.evaluation import EvalItem, EvalResult, EvalRun, EvalSet
from easy_dataset.store.models import Job

MAX_COMPARED = 10


class Figure(BaseModel):
    """n scores, their mean and its 95 % interval (None where there are no scores)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: str = Field(description="wilson (0/1 scores), t (partial scores) or none.")


def figure(found: Estimate) -> Figure:
    return Figure(n=found.n, mean=found.mean, low=found.low, high=found.high, method=found.method)


class RunView(BaseModel):
    """One run: which model on which set, its job's state and how many items are scored."""

    id: int
    set_id: int
    set_name: str
    model: str
    judge_model: str
    job_id: int | None
    status: str = Field(description='The job\'s status ("" when the job is gone).')
    total: int = Field(description="Items the job planned.")
    scored: int
    mean: float | None
    settings: dict[str, Any]
    created_at: datetime


class RunReport(BaseModel):
    """A run with its figures overall, per kind and per top-level tag ("" untagged)."""

    run: RunView
    overall: Figure
    kinds: dict[str, Figure]
    tags: dict[str, Figure]


class ResultView(BaseModel):
    """One item's result: the question, reference, the model's response, score and method."""

    item_id: int
    kind: str
    question: str
    options: list[str]
    reference: str
    tag_path: list[str]
    response: str
    score: float | None
    method: str
    detail: dict[str, Any]
    latency_ms: int


class ComparisonRow(BaseModel):
    """One row of a comparison (a kind, a tag, or all): a figure per run, in run order."""

    group: str = Field(description="all, kind or tag.")
    name: str
    figures: list[Figure]


class Comparison(BaseModel):
    """Runs of one set side by side: rows all / kinds / tags, one column per run."""

    set_name: str
    runs: list[RunView]
    rows: list[ComparisonRow]


def _run_views(session: Session, project_id: int, run_ids: list[int] | None) -> list[RunView]:
    query = (
        select(EvalRun, EvalSet.name, Job.status, Job.total)
        .join(EvalSet, EvalSet.id == EvalRun.set_id)
        .outerjoin(Job, Job.id == EvalRun.job_id)
        .where(EvalRun.project_id == project_id)
        .order_by(EvalRun.id)
    )
    if run_ids is not None:
        query = query.where(EvalRun.id.in_(run_ids))
    rows = session.execute(query).all()
    counts = dict(
        session.execute(
            select(EvalResult.run_id, func.count(EvalResult.id))
            .where(EvalResult.run_id.in_([row[0].id for row in rows]))
            .group_by(EvalResult.run_id)
        ).all()
    )
    means: dict[int, float | None] = dict(
        session.execute(
            select(EvalResult.run_id, func.avg(EvalResult.score))
            .where(
                EvalResult.run_id.in_([row[0].id for row in rows]), EvalResult.score.is_not(None)
            )
            .group_by(EvalResult.run_id)
        ).all()
    )
    return [
        RunView(
            id=run.id,
            set_id=run.set_id,
            set_name=set_name,
            model=run.model,
            judge_model=run.judge_model,
            job_id=run.job_id,
            status=status or "",
            total=total or 0,
            scored=counts.get(run.id, 0),
            mean=means.get(run.id),
            settings=dict(run.settings or {}),
            created_at=run.created_at,
        )
        for run, set_name, status, total in rows
    ]


def list_runs(app: App, project_ref: str | int, set_name: str | None = None) -> list[RunView]:
    """The project's runs, oldest first (of one set, when named)."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        views = _run_views(session, project_id, None)
    return [view for view in views if set_name is None or view.set_name == set_name]


def _run(session: Session, project_id: int, run_id: int) -> RunView:
    found = _run_views(session, project_id, [run_id])
    if not found:
        raise NotFoundError(f"no evaluation run {run_id} in this project", subject="eval_run")
    return found[0]


def _scored(session: Session, run_id: int) -> list[ScoredItem]:
    rows = session.execute(
        select(EvalItem.kind, EvalItem.tag_path, EvalResult.score)
        .join(EvalItem, EvalItem.id == EvalResult.item_id)
        .where(EvalResult.run_id == run_id, EvalResult.score.is_not(None))
        .order_by(EvalResult.item_id)
    ).all()
    return [ScoredItem(kind, top_tag(tags or []), float(score)) for kind, tags, score in rows]


def run_report(app: App, project_ref: str | int, run_id: int) -> RunReport:
    """One run's figures: overall, per kind, per top-level tag."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        view = _run(session, project_id, run_id)
        scored = _scored(session, run_id)
    return RunReport(
        run=view,
        overall=figure(estimate([item.score for item in scored])),
        kinds={name: figure(found) for name, found in breakdown(scored, "kind").items()},
        tags={name: figure(found) for name, found in breakdown(scored, "tag").items()},
    )


def run_results(
    app: App,
    project_ref: str | int,
    run_id: int,
    *,
    kind: str | None = None,
    wrong_only: bool = False,
) -> list[ResultView]:
    """A run's per-item results in item order (of one kind; only those short of full marks)."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        _run(session, project_id, run_id)
        query = (
            select(EvalResult, EvalItem)
            .join(EvalItem, EvalItem.id == EvalResult.item_id)
            .where(EvalResult.run_id == run_id)
            .order_by(EvalResult.item_id)
        )
        if kind is not None:
            query = query.where(EvalItem.kind == kind)
        if wrong_only:
            query = query.where(func.coalesce(EvalResult.score, 0) < 1)
        return [
            ResultView(
                item_id=item.id,
                kind=item.kind,
                question=item.question,
                options=[str(option) for option in item.options or []],
                reference=item.answer,
                tag_path=[str(tag) for tag in item.tag_path or []],
                response=result.response,
                score=result.score,
                method=result.method,
                detail=dict(result.detail or {}),
                latency_ms=result.latency_ms,
            )
            for result, item in session.execute(query).all()
        ]


def compare_runs(app: App, project_ref: str | int, run_ids: list[int]) -> Comparison:
    """Runs of one set side by side: all, each kind, each tag; one figure per run."""
    if not run_ids:
        raise InputError("name at least one evaluation run to compare")
    if len(run_ids) > MAX_COMPARED:
        raise InputError(f"compare at most {MAX_COMPARED} runs at a time, not {len(run_ids)}")
    ordered = list(dict.fromkeys(run_ids))
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        views = [_run(session, project_id, run_id) for run_id in ordered]
        sets = {view.set_name for view in views}
        if len(sets) > 1:
            raise InputError(
                "runs compared must be on one evaluation set; these are on "
                + ", ".join(sorted(sets))
            )
        scored = [_scored(session, view.id) for view in views]
    rows = [
        ComparisonRow(
            group="all",
            name="all",
            figures=[figure(estimate([item.score for item in items])) for items in scored],
        )
    ]
    for group in ("kind", "tag"):
        per_run = [breakdown(items, "kind" if group == "kind" else "tag") for items in scored]
        names = sorted({name for found in per_run for name in found})
        if group == "tag" and names == [""]:
            continue  # nothing is tagged: the row would repeat "all"
        for name in names:
            rows.append(
                ComparisonRow(
                    group=group,
                    name=name,
                    figures=[figure(found.get(name, estimate([]))) for found in per_run],
                )
            )
    return Comparison(set_name=views[0].set_name, runs=views, rows=rows)

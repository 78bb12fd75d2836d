"""Review sampling: a random share of QA pairs for people to check, and the error rate
their verdicts estimate for the whole project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, StageParams, Words, register_stage
from easy_dataset.quality.review_sample import draw_sample, error_rate
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import unfinished_keys
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality.selection import check_fraction
from easy_dataset.services.quality_results import clear, record_many
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import MAX_ID
from easy_dataset.store.dataset import QAPair, QualityResult
from easy_dataset.store.models import Job, JobItem

TYPE = "quality.sample"
KEY = "draw"
Verdict = Literal["ok", "error"]


class SampleParams(StageParams):
    fraction: float | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Share of QA pairs to review (default: the project's, 0.05).",
    )
    seed: int | None = Field(
        default=None, ge=0, le=MAX_ID, description="Draw the same sample again."
    )


@register_stage
class DrawSample(Stage[SampleParams]):
    """One item; params: fraction (default the project's, 5 %), seed. A new sample replaces
    the previous one and its verdicts."""

    name: ClassVar[str] = TYPE
    group = "quality"
    order = 180
    label = Words("Review sample", "抽样审核")
    help = Words(
        "Draw a random sample of QA pairs for review (it replaces the previous one).",
        "随机抽取一部分问答对供人工审核（替换上一次的样本）。",
    )
    Params = SampleParams
    command = ("quality", "sample")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        check_fraction(params, "fraction")
        with app.db.session() as session:
            busy = unfinished_keys(session, project_id, TYPE)
        return [] if KEY in busy else [KEY]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        assert ctx.project_id is not None
        fraction = (
            ctx.params.get("fraction")
            or get_quality_settings(ctx.app, ctx.project_id).sample_fraction
        )
        with ctx.app.db.session() as session:
            ids = list(
                session.scalars(
                    select(QAPair.id).where(QAPair.project_id == ctx.project_id).order_by(QAPair.id)
                )
            )
        chosen = draw_sample(ids, float(fraction), seed=ctx.params.get("seed")) if ids else []
        return {"fraction": float(fraction), "population": len(ids), "ids": chosen}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        clear(session, job.project_id, "sample", "qa")
        present = set(session.scalars(select(QAPair.id).where(QAPair.project_id == job.project_id)))
        detail = {"fraction": result["fraction"], "population": result["population"]}
        rows = ({"qa_id": qa_id, "detail": detail} for qa_id in result["ids"] if qa_id in present)
        record_many(session, job.project_id, "sample", job.id, rows)


def review_sample_item(
    app: App, project_ref: str | int, qa_id: int, verdict: Verdict | None, note: str = ""
) -> None:
    """A reviewer's verdict on one sampled pair ("ok", "error", or None to undo it)."""
    if verdict not in ("ok", "error", None):
        raise InputError(f"a verdict is 'ok' or 'error', not {verdict!r}")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = session.scalar(
            select(QualityResult).where(
                QualityResult.project_id == project.id,
                QualityResult.kind == "sample",
                QualityResult.qa_id == qa_id,
            )
        )
        if row is None:
            raise NotFoundError(
                f"QA pair {qa_id} is not in the review sample; draw a sample first",
                subject="sample_item",
            )
        row.flagged = None if verdict is None else verdict == "error"
        row.detail = {**(row.detail or {}), "note": note}


@dataclass(frozen=True)
class SampleItem:
    """One sampled pair and the reviewer's verdict on it (None: not reviewed yet)."""

    qa_id: int
    question: str
    verdict: Verdict | None
    note: str


def sample_items(
    app: App, project_ref: str | int, *, limit: int = 50, offset: int = 0
) -> list[SampleItem]:
    """One page of the sample, in id order, with the verdicts given so far."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(QAPair.id, QAPair.question, QualityResult.flagged, QualityResult.detail)
            .join(QualityResult, QualityResult.qa_id == QAPair.id)
            .where(QualityResult.project_id == project.id, QualityResult.kind == "sample")
            .order_by(QAPair.id)
            .limit(limit)
            .offset(offset)
        ).all()
    verdicts: dict[bool | None, Verdict | None] = {None: None, True: "error", False: "ok"}
    return [
        SampleItem(qa_id, question, verdicts[flagged], str((detail or {}).get("note", "")))
        for qa_id, question, flagged, detail in rows
    ]


class SampleStatus(BaseModel):
    """Where the review of the current sample stands, and the error rate its verdicts
    estimate for the whole project (`low`–`high`: the interval at `confidence`)."""

    size: int
    reviewed: int
    errors: int
    population: int
    rate: float
    low: float
    high: float
    confidence: float


def sample_status(app: App, project_ref: str | int, confidence: float = 0.95) -> SampleStatus:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(QualityResult.flagged, func.count())
            .where(QualityResult.project_id == project.id, QualityResult.kind == "sample")
            .group_by(QualityResult.flagged)
        ).all()
        population = (
            session.scalar(
                select(func.count()).select_from(QAPair).where(QAPair.project_id == project.id)
            )
            or 0
        )
    counts = {flag: count for flag, count in rows}
    errors, fine = counts.get(True, 0), counts.get(False, 0)
    estimate = error_rate(
        errors, errors + fine, confidence=confidence, population=population or None
    )
    return SampleStatus(
        size=errors + fine + counts.get(None, 0),
        reviewed=estimate.reviewed,
        errors=estimate.errors,
        population=population,
        rate=estimate.rate,
        low=estimate.low,
        high=estimate.high,
        confidence=estimate.confidence,
    )

"""What the self-correction loop (`answers.refine`) and verified citations did, counted
from their quality results: for the dataset report, and for one refine job's summary."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from easy_dataset.generate.refine import OUTCOMES
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import QualityResult


class RefineFigures(BaseModel):
    """Answers the loop judged: `passed` (good enough as they were) and, of those it
    rewrote, how many were `improved` (the better rewrite kept), `stayed` (no rewrite scored
    higher or lower) or got `worse` (every rewrite scored lower; the answer was kept); the
    judge's mean score of the rewritten ones before and after (None: none rewritten)."""

    judged: int = 0
    passed: int = 0
    improved: int = 0
    stayed: int = 0
    worse: int = 0
    mean_before: float | None = None
    mean_after: float | None = None

    @property
    def rewritten(self) -> int:
        return self.improved + self.stayed + self.worse


class CitationFigures(BaseModel):
    """Samples whose answers quoted their chunk: quotes in all and verified, the share
    verified (None: no quotes), samples with a quote that was not verified and samples
    that quoted nothing although asked to."""

    samples: int = 0
    quotes: int = 0
    verified: int = 0
    share: float | None = None
    unverified_samples: int = 0
    without_quotes: int = 0


def _mean(value: object) -> float | None:
    return None if value is None else round(float(str(value)), 2)


def refine_figures(session: Session, project_id: int, job_id: int | None = None) -> RefineFigures:
    """The counts over the project's `refine` results (those of one job, if given)."""
    outcome = QualityResult.detail["outcome"].as_string()
    rewritten = outcome != "passed"
    query = select(
        outcome,
        func.count(),
        func.avg(case((rewritten, QualityResult.detail["before"].as_float()))),
        func.avg(case((rewritten, QualityResult.detail["after"].as_float()))),
    ).where(
        QualityResult.project_id == project_id,
        QualityResult.kind == "refine",
        QualityResult.qa_id.is_not(None),
    )
    if job_id is not None:
        query = query.where(QualityResult.job_id == job_id)
    figures = RefineFigures()
    before = after = 0.0
    for name, count, mean_before, mean_after in session.execute(query.group_by(outcome)):
        if name not in OUTCOMES:
            continue
        setattr(figures, name, int(count))
        figures.judged += int(count)
        if name != "passed":
            before += float(mean_before or 0) * count
            after += float(mean_after or 0) * count
    if figures.rewritten:
        figures.mean_before = _mean(before / figures.rewritten)
        figures.mean_after = _mean(after / figures.rewritten)
    return figures


def citation_figures(
    session: Session, project_id: int, job_id: int | None = None
) -> CitationFigures:
    """The counts over the project's `citations` results (those of one job, if given)."""
    quotes = QualityResult.detail["quotes"].as_integer()
    verified = QualityResult.detail["verified"].as_integer()
    query = select(
        func.count(),
        func.sum(quotes),
        func.sum(verified),
        func.sum(case((verified < quotes, 1), else_=0)),
        func.sum(case((quotes == 0, 1), else_=0)),
    ).where(
        QualityResult.project_id == project_id,
        QualityResult.kind == "citations",
        QualityResult.qa_id.is_not(None),
    )
    if job_id is not None:
        query = query.where(QualityResult.job_id == job_id)
    samples, total, kept, unverified, empty = session.execute(query).one()
    total, kept = int(total or 0), int(kept or 0)
    return CitationFigures(
        samples=int(samples),
        quotes=total,
        verified=kept,
        share=round(kept / total, 4) if total else None,
        unverified_samples=int(unverified or 0),
        without_quotes=int(empty or 0),
    )


def refine_summary(app: App, project_ref: str | int, job_id: int | None = None) -> RefineFigures:
    """What the loop did in the project (in one job, if given)."""
    with app.db.session() as session:
        return refine_figures(session, find_project(session, project_ref).id, job_id)


def citation_summary(
    app: App, project_ref: str | int, job_id: int | None = None
) -> CitationFigures:
    """How the project's quoted answers (those of one job, if given) fared against their
    chunks."""
    with app.db.session() as session:
        return citation_figures(session, find_project(session, project_ref).id, job_id)

"""Storing and reading quality results: one row per kind of check and item."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from easy_dataset.store.dataset import QualityResult

# Every kind of check that records results, and what an item of it is.
KINDS = (
    "judge",
    "grounding",
    "duplicate",
    "pii",
    "refs",
    "contamination",
    "sample",
    "votes",
)
Target = Literal["qa", "question"]


@dataclass(frozen=True)
class ResultView:
    """One check's finding for one item."""

    kind: str
    qa_id: int | None
    question_id: int | None
    score: float | None
    flagged: bool | None
    detail: dict[str, Any]
    job_id: int | None


def view(row: QualityResult) -> ResultView:
    return ResultView(
        kind=row.kind,
        qa_id=row.qa_id,
        question_id=row.question_id,
        score=row.score,
        flagged=row.flagged,
        detail=dict(row.detail or {}),
        job_id=row.job_id,
    )


def record(
    session: Session,
    project_id: int,
    kind: str,
    *,
    qa_id: int | None = None,
    question_id: int | None = None,
    score: float | None = None,
    flagged: bool | None = None,
    detail: dict[str, Any] | None = None,
    job_id: int | None = None,
) -> None:
    """Set this check's result for one item, replacing an earlier one."""
    if (qa_id is None) == (question_id is None):
        raise ValueError("a quality result belongs to exactly one QA pair or question")
    column = QualityResult.qa_id if qa_id is not None else QualityResult.question_id
    item_id = qa_id if qa_id is not None else question_id
    row = session.scalar(select(QualityResult).where(QualityResult.kind == kind, column == item_id))
    if row is None:
        row = QualityResult(project_id=project_id, kind=kind, qa_id=qa_id, question_id=question_id)
        session.add(row)
    row.score = score
    row.flagged = flagged
    row.detail = detail or {}
    row.job_id = job_id


def clear(session: Session, project_id: int, kind: str, target: Target | None = None) -> None:
    """Forget every result of one check in a project (for one kind of item, if given)."""
    statement = delete(QualityResult).where(
        QualityResult.project_id == project_id, QualityResult.kind == kind
    )
    if target == "qa":
        statement = statement.where(QualityResult.qa_id.is_not(None))
    elif target == "question":
        statement = statement.where(QualityResult.question_id.is_not(None))
    session.execute(statement)


def results_for(
    session: Session, *, qa_id: int | None = None, question_id: int | None = None
) -> list[ResultView]:
    """Every check's result for one item, in the order of KINDS."""
    column = QualityResult.qa_id if qa_id is not None else QualityResult.question_id
    rows = session.scalars(
        select(QualityResult).where(column == (qa_id if qa_id is not None else question_id))
    )
    found = [view(row) for row in rows]
    return sorted(found, key=lambda r: KINDS.index(r.kind) if r.kind in KINDS else len(KINDS))


def results_of(
    session: Session, project_id: int, kind: str, target: Target = "qa"
) -> Iterable[QualityResult]:
    """Every result of one check in a project, for QA pairs or questions."""
    column = QualityResult.qa_id if target == "qa" else QualityResult.question_id
    return session.scalars(
        select(QualityResult)
        .where(
            QualityResult.project_id == project_id, QualityResult.kind == kind, column.is_not(None)
        )
        .order_by(column)
    )

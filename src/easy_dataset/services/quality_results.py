"""Storing and reading quality results: one row per kind of check and item."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from easy_dataset.errors import InputError
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, QualityResult, Question

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
    "hygiene",
    "citations",
    "refine",
)
# What a check looks at: QA pairs (question and answer) or questions alone.
TARGETS = ("qa", "questions")


def target_of(
    target: str,
) -> tuple[type[QAPair] | type[Question], InstrumentedAttribute[int | None]]:
    """The table of a target's items and the result column that points at one."""
    if target == "qa":
        return QAPair, QualityResult.qa_id
    if target == "questions":
        return Question, QualityResult.question_id
    raise InputError(f"a check looks at 'qa' or 'questions', not {target!r}")


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


def record_many(
    session: Session,
    project_id: int,
    kind: str,
    job_id: int,
    rows: Iterable[dict[str, Any]],
) -> None:
    """Insert new results of one check in bulk (`rows`: qa_id or question_id, score,
    flagged, detail); the items must have none of this kind yet (see `clear`)."""
    now = utcnow()
    values = [
        {
            "project_id": project_id,
            "kind": kind,
            "job_id": job_id,
            "created_at": now,
            "updated_at": now,
            "score": None,
            "flagged": None,
            **row,
        }
        for row in rows
    ]
    if values:
        session.execute(insert(QualityResult), values)


def clear(session: Session, project_id: int, kind: str, target: str | None = None) -> None:
    """Forget every result of one check in a project (for one kind of item, if given)."""
    statement = delete(QualityResult).where(
        QualityResult.project_id == project_id, QualityResult.kind == kind
    )
    if target is not None:
        statement = statement.where(target_of(target)[1].is_not(None))
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

"""The hygiene check (see `generate.hygiene`): recorded where questions and answers are
committed, and runnable as a scan over existing QA pairs, which stores the safe repairs
and flags the rest. A result of kind "hygiene" is flagged when something could not be
repaired; a pair only repaired by a scan keeps a result that is not flagged (what was
repaired), so the repair stays visible."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.generate.hygiene import PairHygiene, check_pair, check_question
from easy_dataset.jobs import JobContext, register
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality.results import record
from easy_dataset.services.quality.scan_jobs import ScanJob
from easy_dataset.store.dataset import QAPair, QualityResult, Question

KIND = "hygiene"


def _record(
    session: Session,
    project_id: int,
    found: PairHygiene,
    *,
    qa_id: int | None = None,
    question_id: int | None = None,
    job_id: int | None = None,
) -> bool:
    if not found.flagged:
        return False
    record(
        session,
        project_id,
        KIND,
        qa_id=qa_id,
        question_id=question_id,
        flagged=True,
        detail=found.detail(),
        job_id=job_id,
    )
    return True


def record_question(
    session: Session, project_id: int, question: Question, job_id: int | None = None
) -> bool:
    """Flag a question just stored (flushed) if hygiene finds what it cannot repair."""
    return _record(
        session, project_id, check_question(question.text), question_id=question.id, job_id=job_id
    )


def record_pair(session: Session, project_id: int, pair: QAPair, job_id: int | None = None) -> bool:
    """Flag a QA pair just stored (flushed) if hygiene finds what it cannot repair."""
    found = check_pair(pair.question, pair.answer, pair.cot)
    return _record(session, project_id, found, qa_id=pair.id, job_id=job_id)


@register
class HygieneScan(ScanJob):
    """Stray quotes and commas, leaked tags, HTML wrappers, doubled spaces repaired in QA
    pairs (and their questions); instructions posing as questions, texts that ask nothing
    and empty answers flagged. Params: qa_ids."""

    type: ClassVar[str] = "quality.hygiene"
    kind: ClassVar[str] = KIND

    def find(self, ctx: JobContext, question: str, answer: str, cot: str) -> dict[str, Any] | None:
        found = check_pair(question, answer, cot)
        if not (found.flagged or found.repaired):
            return None
        return {
            **found.detail(),
            "flagged": found.flagged,
            "fixed": {"question": found.question, "answer": found.answer, "cot": found.cot},
        }

    def apply(self, session: Session, qa_id: int, detail: dict[str, Any]) -> None:
        fixed = detail.pop("fixed", None)
        if not isinstance(fixed, dict):
            return
        pair = session.get(QAPair, qa_id)
        assert pair is not None
        # The pair may have been edited while it was scanned: repair what it says now.
        now = check_pair(pair.question, pair.answer, pair.cot)
        question = session.get(Question, pair.question_id) if pair.question_id else None
        if question is not None and question.text == pair.question:
            question.text = now.question
        pair.question, pair.answer, pair.cot = now.question, now.answer, now.cot


def question_flags(
    app: App, project_ref: str | int, question_ids: Iterable[int]
) -> dict[int, list[str]]:
    """What hygiene flagged in each of these questions of the project and still finds in
    its text (an edit that fixed it clears the flag): id -> reasons."""
    wanted = set(question_ids)
    if not wanted:
        return {}
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(Question.id, Question.text)
            .join(QualityResult, QualityResult.question_id == Question.id)
            .where(
                QualityResult.project_id == project.id,
                QualityResult.kind == KIND,
                QualityResult.flagged.is_(True),
                QualityResult.question_id.in_(wanted),
            )
        )
        found: dict[int, list[str]] = {}
        for question_id, text in rows:
            now = check_question(text)
            if now.flagged:
                found[int(question_id)] = [issue.reason for issue in now.issues]
        return found

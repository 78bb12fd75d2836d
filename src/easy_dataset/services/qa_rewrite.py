"""Rewriting the text of QA pairs inside a transaction: a question asked everywhere it is
asked, and the provenance stamp of an edit. Shared by the review (`generation/review.py`)
and the hygiene check (`hygiene.py`), which sits below the review and may not import it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question


def askers(session: Session, project_id: int, question_id: int) -> list[int]:
    """The ids of the pairs of one question."""
    query = select(QAPair.id).where(
        QAPair.question_id == question_id, QAPair.project_id == project_id
    )
    return list(session.scalars(query.order_by(QAPair.id)))


def ask_everywhere(session: Session, project_id: int, question_id: int, text: str) -> list[int]:
    """The Question row and all its pairs ask `text` (as `questions.edit_question` does the
    other way round); the ids of those pairs."""
    session.execute(
        update(Question)
        .where(Question.id == question_id, Question.project_id == project_id)
        .values(text=text)
    )
    session.execute(
        update(QAPair)
        .where(QAPair.question_id == question_id, QAPair.project_id == project_id)
        .values(question=text)
    )
    return askers(session, project_id, question_id)


def mark_edited(pair: QAPair, by: str | None = None) -> None:
    """Note in the pair's provenance that its text changed now; `by` names what changed it
    when it was not a person (the hygiene scan), and a person's edit clears that name."""
    provenance = {**(pair.provenance or {}), "edited": utcnow().isoformat()}
    if by is None:
        provenance.pop("edited_by", None)
    else:
        provenance["edited_by"] = by
    pair.provenance = provenance

"""Questions that their stage answers as it asks them (cross-chunk and unanswerable ones):
stored with their sample in one go, and left alone by `answers.generate`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from easy_dataset.services.hygiene import record_pair, record_question
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Job

CROSS_CHUNK = "cross_chunk"
UNANSWERABLE = "unanswerable"
# Origins of questions answered by the stage that asks them: answering one again from its
# first chunk alone (answers.generate) would lose the other chunks, or answer what must be
# declined.
ANSWERED_WHEN_ASKED = (CROSS_CHUNK, UNANSWERABLE)


@dataclass(frozen=True)
class AnsweredQuestion:
    """A question with its answer, and the provenance each of them keeps."""

    question: str
    answer: str
    question_provenance: dict[str, Any]
    sample_provenance: dict[str, Any]


def store_answered(
    session: Session,
    job: Job,
    *,
    chunk_id: int,
    origin: str,
    model: str,
    items: list[AnsweredQuestion],
) -> None:
    """Each question and its sample, filed under `chunk_id`; hygiene flags what it cannot
    repair, as for every generated question and pair."""
    assert job.project_id is not None
    for item in items:
        question = Question(
            project_id=job.project_id,
            chunk_id=chunk_id,
            text=item.question,
            origin=origin,
            provenance=item.question_provenance,
        )
        session.add(question)
        session.flush()
        pair = QAPair(
            project_id=job.project_id,
            question_id=question.id,
            chunk_id=chunk_id,
            question=item.question,
            answer=item.answer,
            model=model,
            provenance=item.sample_provenance,
        )
        session.add(pair)
        session.flush()
        record_question(session, job.project_id, question, job.id)
        record_pair(session, job.project_id, pair, job.id)

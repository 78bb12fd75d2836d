"""Questions and QA pairs as services return them: detached from the database session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from easy_dataset.services.views import ChunkView
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.types import Message


class QuestionView(BaseModel):
    id: int
    project_id: int
    chunk_id: int | None
    ga_pair_id: int | None
    tag_id: int | None
    tag: str | None  # the tag's name, when it still exists
    template_id: int | None
    text: str
    origin: str  # generated | template | manual | distilled | cross_chunk | unanswerable
    answered: bool
    provenance: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    # An evolved question's parent (`questions.evolve`) and how it was evolved.
    parent_question_id: int | None = None
    evolution: str | None = None


class QAView(BaseModel):
    id: int
    project_id: int
    kind: str = "qa"  # qa | dialogue (question / answer: its first question, last answer)
    question_id: int | None
    chunk_id: int | None
    question: str
    answer: str
    cot: str
    model: str
    confirmed: bool
    score: float | None
    judge_notes: str
    user_tags: list[str]
    note: str
    provenance: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class QADetail(QAView):
    """A sample with the chunk it was answered from (None once that chunk is gone) and, for
    a dialogue, every turn in order (None for a QA pair: its turn is question / answer)."""

    chunk: ChunkView | None
    messages: list[Message] | None = None


def question_view(row: Question, tag: str | None, answered: bool) -> QuestionView:
    provenance = dict(row.provenance or {})
    parent = provenance.get("parent_question_id")
    evolution = provenance.get("evolution")
    return QuestionView(
        id=row.id,
        project_id=row.project_id,
        chunk_id=row.chunk_id,
        ga_pair_id=row.ga_pair_id,
        tag_id=row.tag_id,
        tag=tag,
        template_id=row.template_id,
        text=row.text,
        origin=row.origin,
        answered=answered,
        provenance=provenance,
        created_at=row.created_at,
        updated_at=row.updated_at,
        parent_question_id=parent
        if isinstance(parent, int) and not isinstance(parent, bool)
        else None,
        evolution=evolution if isinstance(evolution, str) else None,
    )


def qa_view(row: QAPair) -> QAView:
    return QAView(
        id=row.id,
        project_id=row.project_id,
        kind=row.kind,
        question_id=row.question_id,
        chunk_id=row.chunk_id,
        question=row.question,
        answer=row.answer,
        cot=row.cot,
        model=row.model,
        confirmed=row.confirmed,
        score=row.score,
        judge_notes=row.judge_notes,
        user_tags=[str(tag) for tag in row.user_tags or []],
        note=row.note,
        provenance=dict(row.provenance or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )

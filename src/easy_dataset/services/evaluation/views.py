"""Evaluation sets and their items as services return them: detached from the session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from easy_dataset.store.evaluation import EvalItem, EvalSet


class EvalSetView(BaseModel):
    id: int
    name: str
    description: str
    items: int
    confirmed: int
    kinds: dict[str, int]  # items per kind, every kind listed
    created_at: datetime
    updated_at: datetime


class EvalItemView(BaseModel):
    id: int
    set_id: int
    kind: str
    question: str
    options: list[str]
    answer: str
    chunk_id: int | None
    qa_id: int | None
    tag_path: list[str]
    origin: str
    confirmed: bool
    note: str
    provenance: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def set_view(row: EvalSet, kinds: dict[str, int], confirmed: int) -> EvalSetView:
    return EvalSetView(
        id=row.id,
        name=row.name,
        description=row.description,
        items=sum(kinds.values()),
        confirmed=confirmed,
        kinds=kinds,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def item_view(row: EvalItem) -> EvalItemView:
    return EvalItemView(
        id=row.id,
        set_id=row.set_id,
        kind=row.kind,
        question=row.question,
        options=[str(option) for option in row.options or []],
        answer=row.answer,
        chunk_id=row.chunk_id,
        qa_id=row.qa_id,
        tag_path=[str(tag) for tag in row.tag_path or []],
        origin=row.origin,
        confirmed=row.confirmed,
        note=row.note,
        provenance=dict(row.provenance or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )

"""Which QA pairs a review list shows: the filters, applied in SQL so a million rows page fast."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import Select, exists, func, or_, select

from easy_dataset.store.dataset import QAPair, QualityResult, Question, Tag
from easy_dataset.store.models import Chunk
from easy_dataset.store.queries import json_array_has_any, json_flag
from easy_dataset.types import SampleKind

# Checks whose results flag QA pairs (a sampled pair is flagged when judged an error).
FLAG_KINDS = (
    "judge",
    "grounding",
    "duplicate",
    "pii",
    "refs",
    "contamination",
    "sample",
    "hygiene",
    "citations",
)


def known_flags(value: list[str] | None) -> list[str] | None:
    """Quality flags as filters name them; ValueError naming any unknown one."""
    unknown = sorted(set(value or ()) - set(FLAG_KINDS))
    if unknown:
        raise ValueError(
            f"no quality flag {', '.join(unknown)}; the flags are: {', '.join(FLAG_KINDS)}"
        )
    return value


def _result(*conditions: Any) -> Any:
    """Whether the pair has a quality result meeting `conditions`."""
    return exists(
        select(1).select_from(QualityResult).where(QualityResult.qa_id == QAPair.id, *conditions)
    )


def quality_filtered(query: Select[Any], filters: QAFilters) -> Select[Any]:
    """`query` (over QAPair) narrowed by the quality filters only."""
    if filters.min_judge is not None:
        query = query.where(
            _result(QualityResult.kind == "judge", QualityResult.score >= filters.min_judge)
        )
    if filters.max_judge is not None:
        query = query.where(
            _result(QualityResult.kind == "judge", QualityResult.score <= filters.max_judge)
        )
    if filters.flagged:
        query = query.where(
            _result(QualityResult.kind.in_(filters.flagged), QualityResult.flagged.is_(True))
        )
    if filters.not_flagged:
        query = query.where(
            ~_result(QualityResult.kind.in_(filters.not_flagged), QualityResult.flagged.is_(True))
        )
    if filters.sampled is not None:
        in_sample = _result(QualityResult.kind == "sample")
        query = query.where(in_sample if filters.sampled else ~in_sample)
    return query


class QAFilters(BaseModel):
    """Every filter given must hold; `tag` matches a reviewer tag or the domain tag's name,
    ignoring case."""

    model_config = ConfigDict(extra="forbid")

    confirmed: bool | None = None
    min_score: float | None = None
    max_score: float | None = None
    scored: bool | None = None
    tag: str | None = None
    has_cot: bool | None = None
    kind: SampleKind | None = None
    # Samples answering an unanswerable question (true), or every other one (false).
    unanswerable: bool | None = None
    file_id: int | None = None
    chunk_id: int | None = None
    search: str | None = None
    ids: list[int] | None = None
    # Quality checks: the judge's 0–5 score; pairs a check flagged (any of these kinds) or
    # that none of these kinds flagged; pairs in (or out of) the review sample.
    min_judge: float | None = None
    max_judge: float | None = None
    flagged: list[str] | None = None
    not_flagged: list[str] | None = None
    sampled: bool | None = None

    _known_checks = field_validator("flagged", "not_flagged")(known_flags)

    @field_validator("min_score", "max_score", "min_judge", "max_judge")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("a score bound must be a number")
        return value


def filtered(query: Select[Any], filters: QAFilters, dialect: str) -> Select[Any]:
    """`query` (over QAPair) narrowed by `filters`."""
    if filters.confirmed is not None:
        query = query.where(QAPair.confirmed.is_(filters.confirmed))
    if filters.min_score is not None:
        query = query.where(QAPair.score >= filters.min_score)
    if filters.max_score is not None:
        query = query.where(QAPair.score <= filters.max_score)
    if filters.scored is not None:
        query = query.where(QAPair.score.is_not(None) if filters.scored else QAPair.score.is_(None))
    if filters.kind is not None:
        query = query.where(QAPair.kind == filters.kind)
    if filters.unanswerable is not None:
        marked = json_flag(QAPair.provenance, "unanswerable")
        query = query.where(marked if filters.unanswerable else ~marked)
    if filters.has_cot is not None:
        query = query.where(QAPair.cot != "" if filters.has_cot else QAPair.cot == "")
    if filters.chunk_id is not None:
        query = query.where(QAPair.chunk_id == filters.chunk_id)
    if filters.file_id is not None:
        in_file = select(Chunk.id).where(Chunk.file_id == filters.file_id)
        query = query.where(QAPair.chunk_id.in_(in_file))
    if filters.ids:
        query = query.where(QAPair.id.in_(filters.ids))
    if filters.search:
        query = query.where(
            QAPair.question.icontains(filters.search, autoescape=True)
            | QAPair.answer.icontains(filters.search, autoescape=True)
        )
    if filters.tag:
        domain = exists(
            select(1)
            .select_from(Question)
            .join(Tag, Tag.id == Question.tag_id)
            .where(
                Question.id == QAPair.question_id,
                func.lower(Tag.name) == filters.tag.lower(),
            )
        )
        own = json_array_has_any(QAPair.user_tags, [filters.tag], dialect, casefold=True)
        query = query.where(or_(own, domain))
    return quality_filtered(query, filters)

"""Which QA pairs a check works on, and the id batches scanning checks split them into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.samples_shape import sample_messages
from easy_dataset.services.job_support.common import id_filter
from easy_dataset.store.dataset import QAPair, QualityResult
from easy_dataset.store.models import Chunk
from easy_dataset.types import Message

BATCH = 500  # QA pairs per item of a scanning job: small enough to resume, big to be fast


def qa_ids(
    session: Session, project_id: int, params: dict[str, Any], *, unchecked: str | None = None
) -> list[int]:
    """The project's QA pair ids, narrowed to `params["qa_ids"]`; with `unchecked`, only
    those without a result of that kind unless `params["redo"]` (or ids were named)."""
    only = id_filter(params, "qa_ids")
    query = select(QAPair.id).where(QAPair.project_id == project_id).order_by(QAPair.id)
    if only is not None:
        query = query.where(QAPair.id.in_(sorted(only)))
    elif unchecked is not None and not params.get("redo"):
        done = select(QualityResult.qa_id).where(
            QualityResult.kind == unchecked, QualityResult.qa_id.is_not(None)
        )
        query = query.where(QAPair.id.not_in(done))
    return list(session.scalars(query))


# The result of a check that compares a pair with its chunk, for a pair answered without
# one (a question written by hand): neither a pass nor a fail.
NOT_APPLICABLE = {"applicable": False, "reason": "no source chunk"}


def without_context(session: Session, qa_id: int) -> bool:
    """Whether the pair was answered without a source chunk (nothing to check it against)."""
    pair = session.get(QAPair, qa_id)
    return pair is not None and pair.provenance.get("context") == "none"


@dataclass(frozen=True)
class PairSource:
    """A sample's texts and the chunk it was written from (a cross-chunk sample's whole
    group, joined); `messages` are its turns (a pair's question and answer, or every
    message of a dialogue); `unanswerable` marks an answer that should decline."""

    kind: str
    question: str
    answer: str
    cot: str
    chunk: str
    messages: tuple[Message, ...]
    unanswerable: bool = False


def pair_source(session: Session, qa_id: int, doing: str) -> PairSource:
    """What a check reads of one pair; clear errors when the pair or its chunk is gone."""
    pair = session.get(QAPair, qa_id)
    if pair is None:
        raise NotFoundError(f"QA pair {qa_id} was deleted before it was {doing}")
    chunk = session.get(Chunk, pair.chunk_id) if pair.chunk_id is not None else None
    if chunk is None:
        raise InputError(f"QA pair {qa_id} has no source chunk; it cannot be {doing}")
    turns = sample_messages(pair.kind, pair.question, pair.answer, pair.cot, pair.messages)
    return PairSource(
        pair.kind,
        pair.question,
        pair.answer,
        pair.cot,
        source_text(session, chunk, pair.provenance.get("chunk_ids")),
        tuple(turns),
        unanswerable=pair.provenance.get("unanswerable") is True,
    )


def source_text(session: Session, chunk: Chunk, group: object) -> str:
    """The text a sample was answered from: its chunk, or for a cross-chunk sample every
    chunk of its group still there, in the group's order."""
    if not isinstance(group, list) or len(group) < 2:
        return chunk.content
    ids = [int(chunk_id) for chunk_id in group]
    contents = dict(session.execute(select(Chunk.id, Chunk.content).where(Chunk.id.in_(ids))).all())
    return "\n\n".join(contents[chunk_id] for chunk_id in ids if chunk_id in contents)


def batch_keys(ids: list[int]) -> list[str]:
    """`f<first>:l<last>` per run of up to BATCH ids (ids ascending)."""
    return [
        f"f{ids[start]}:l{ids[min(start + BATCH, len(ids)) - 1]}"
        for start in range(0, len(ids), BATCH)
    ]


def check_fraction(params: dict[str, Any], name: str, *, low_open: bool = True) -> None:
    """A 0–1 option (threshold, fraction) when given; InputError before any job exists."""
    value = params.get(name)
    if value is None:
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not (0 < value <= 1 if low_open else 0 <= value <= 1):
        bound = "above 0" if low_open else "0"
        raise InputError(f"{name} runs from {bound} to 1, not {value!r}")

"""Questions whose answer needs two or three chunks, answered from all of them in the same
call, each part of the answer labelled with the chunk that supports it.

One structured call per group: the model sees every chunk (labelled [1], [2], ...) while
it writes both the question and its answer, so the answer can only join what it was shown.
The reply names, for each part of an answer, the chunk it rests on; a question whose parts
rest on fewer than two chunks did not need the group and is dropped (counted). The stored
answer is the parts' texts joined into prose, with the mapping kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, create_model

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.cot import mentions_source, scrub_source_mentions
from easy_dataset.generate.dedup import distinct_indices
from easy_dataset.generate.hygiene import clean_answer, clean_question
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.generate.schemas import QuestionText
from easy_dataset.llm.types import ChatClient

PART_CHARS = 2000
MAX_PARTS = 8
# "[2]", "(chunk 2)", "片段 [2]" left in a part's text: the reader never sees the labels.
_LABEL = re.compile(r"\s*(?:\[\s*\d+\s*\]|\((?:chunk|passage|片段)\s*\d+\))")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class GroupChunkText:
    """One chunk of a group as the prompt shows it."""

    chunk_id: int
    content: str
    title: str = ""
    heading_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupportedPart:
    """A part of an answer and the chunk it rests on."""

    text: str
    chunk_id: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "chunk_id": self.chunk_id}


@dataclass(frozen=True)
class CrossChunkQA:
    """A question, its answer as prose, and which chunk supports which part of it."""

    question: str
    answer: str
    support: tuple[SupportedPart, ...]

    @property
    def chunk_ids(self) -> tuple[int, ...]:
        """The chunks the answer rests on, in the order it first cites them."""
        return tuple(dict.fromkeys(part.chunk_id for part in self.support))


@dataclass(frozen=True)
class CrossChunkResult:
    items: list[CrossChunkQA]
    dropped: int  # answers resting on one chunk, empty ones, near-duplicates, extras
    provenance: Provenance


def _label(value: Any) -> Any:
    # "[2]", "2", "chunk 2": the number is the label.
    if isinstance(value, str) and (found := _NUMBER.search(value)):
        return int(found.group())
    return value


@lru_cache(maxsize=16)
def cross_chunk_schema(chunks: int, count: int) -> type[BaseModel]:
    """{"questions": [{"question", "answer": [{"text", "chunk": 1..chunks}]}]}, at most twice
    `count` questions (extras are cut, not asked again)."""
    label = Annotated[int, Field(ge=1, le=chunks), BeforeValidator(_label)]
    part = create_model(
        "AnswerPart",
        text=(Annotated[str, Field(min_length=1, max_length=PART_CHARS)], ...),
        chunk=(label, ...),
    )
    item = create_model(
        "CrossChunkQuestion",
        question=(QuestionText, ...),
        answer=(list[part], Field(min_length=1, max_length=MAX_PARTS)),  # type: ignore[valid-type]
    )
    return create_model(
        "CrossChunkQuestions",
        questions=(list[item], Field(max_length=2 * count)),  # type: ignore[valid-type]
    )


def _part_text(text: str) -> str:
    cleaned = clean_answer(_LABEL.sub("", text)).text
    return scrub_source_mentions(cleaned) if mentions_source(cleaned) else cleaned


def _prose(parts: Sequence[SupportedPart]) -> str:
    """The parts as one readable answer: sentences joined by spaces, or by nothing in
    Chinese, where sentences end in full-width stops."""
    text = ""
    for part in parts:
        joiner = "" if not text or text.endswith(("。", "！", "？", "；", "\n")) else " "
        text += joiner + part.text
    return text


async def generate_cross_chunk(
    client: ChatClient,
    *,
    chunks: Sequence[GroupChunkText],
    count: int,
    language: str,
    override: str | None = None,
) -> CrossChunkResult:
    """At most `count` distinct questions that need two or more of `chunks`, each answered
    from them with the chunk behind every part of the answer."""
    if len(chunks) < 2:
        raise ValueError("a cross-chunk question needs at least two chunks")
    if count <= 0:
        raise ValueError("generate_cross_chunk needs a count of at least 1")
    rendered = prompt(
        "cross_chunk",
        language,
        {
            "chunks": [
                {
                    "text": chunk.content,
                    "title": chunk.title,
                    "heading_path": heading_text(chunk.heading_path),
                }
                for chunk in chunks
            ],
            "count": count,
        },
        override,
    )
    reply: Any = await ask_json(client, rendered, cross_chunk_schema(len(chunks), count))
    ids = [chunk.chunk_id for chunk in chunks]
    written: list[CrossChunkQA] = []
    for item in reply.value.questions:
        question = clean_question(item.question).text
        support = tuple(
            SupportedPart(text, ids[part.chunk - 1])
            for part in item.answer
            if (text := _part_text(part.text))
        )
        # An answer that rests on one chunk did not need the group.
        if question and len({part.chunk_id for part in support}) >= 2:
            written.append(CrossChunkQA(question, _prose(support), support))
    kept = [written[i] for i in distinct_indices([qa.question for qa in written])][:count]
    return CrossChunkResult(
        items=kept,
        dropped=len(reply.value.questions) - len(kept),
        provenance=provenance(client, rendered, reply.completion),
    )

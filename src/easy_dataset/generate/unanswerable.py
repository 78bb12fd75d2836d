"""Questions a chunk's subject invites but the chunk does not answer, each with an answer
that declines: what is known here, and that the rest is not.

Such pairs teach a tuned model to say "I can't tell you that" instead of inventing. One
structured call per chunk writes the questions and their refusals together; the questions
already asked of the chunk are shown, so the new ones ask something else. A reply whose
answer does not decline (`quality.refusal.declines` finds no declining sentence) answered
what it should have refused, and is dropped (counted) rather than kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.dedup import distinct_indices
from easy_dataset.generate.hygiene import clean_answer, clean_question
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.generate.schemas import QuestionText
from easy_dataset.llm.types import ChatClient
from easy_dataset.quality.grounding import split_sentences
from easy_dataset.quality.refusal import declines

ANSWER_CHARS = 2000
MAX_ASKED = 30  # questions already asked that the prompt shows


@dataclass(frozen=True)
class Refusal:
    """An unanswerable question and the answer that declines it."""

    question: str
    answer: str


@dataclass(frozen=True)
class UnanswerableResult:
    items: list[Refusal]
    dropped: int  # answers that do not decline, empty ones, repeats, extras
    provenance: Provenance


@lru_cache(maxsize=16)
def unanswerable_schema(count: int) -> type[BaseModel]:
    """{"questions": [{"question", "answer"}]}, at most twice `count` (extras are cut)."""
    item = create_model(
        "UnansweredQuestion",
        question=(QuestionText, ...),
        answer=(Annotated[str, Field(min_length=1, max_length=ANSWER_CHARS)], ...),
    )
    return create_model(
        "UnanswerableQuestions",
        questions=(list[item], Field(max_length=2 * count)),  # type: ignore[valid-type]
    )


def share_quota(counts: Sequence[int], existing: Sequence[int], share: float) -> list[int]:
    """How many unanswerable questions to ask of each chunk so that they make up `share`
    of all its questions: `counts` are the chunks' answerable questions, `existing` their
    unanswerable ones already made. The total is rounded once and spread in document order
    by cumulative rounding (a chunk with a tenth of a question's worth gets one every ten
    chunks); what exists counts against the total, so a re-run asks only what is missing."""
    if not 0 < share < 1:
        raise ValueError(
            f"the share of unanswerable questions runs above 0 and below 1, not {share}"
        )
    ratio = share / (1 - share)
    need = _half_up(sum(counts) * ratio) - sum(existing)
    asks: list[int] = []
    running, given = 0.0, 0
    for count, have in zip(counts, existing, strict=True):
        running += count * ratio
        quota = _half_up(running) - given
        given += quota
        ask = max(0, min(quota - have, need))
        need -= ask
        asks.append(ask)
    return asks


def _half_up(value: float) -> int:
    # Rounding half to even would give 0.5 and 2.5 questions' worth the same treatment
    # as 0.4 and 2.4; half a question's worth earns one.
    return int(value + 0.5 + 1e-9)


def refuses(answer: str) -> bool:
    """Whether some sentence of the answer declines."""
    return any(declines(sentence) for sentence in split_sentences(answer))


async def generate_unanswerable(
    client: ChatClient,
    *,
    chunk: str,
    count: int,
    language: str,
    heading_path: Sequence[str] = (),
    title: str = "",
    asked: Sequence[str] = (),
    override: str | None = None,
) -> UnanswerableResult:
    """At most `count` questions on the chunk's subject that it leaves unanswered, none a
    repeat of `asked` (the questions the chunk already has), each with its refusal."""
    if count <= 0:
        raise ValueError("generate_unanswerable needs a count of at least 1")
    rendered = prompt(
        "unanswerable",
        language,
        {
            "chunk": chunk,
            "heading_path": heading_text(heading_path),
            "title": title,
            "count": count,
            "asked": list(asked[:MAX_ASKED]) or None,
        },
        override,
    )
    reply: Any = await ask_json(client, rendered, unanswerable_schema(count))
    written = [
        Refusal(clean_question(item.question).text, clean_answer(item.answer).text)
        for item in reply.value.questions
    ]
    usable = [item for item in written if item.question and refuses(item.answer)]
    # Repeats of one another, or of a question the chunk has, say nothing new.
    texts = [*asked, *(item.question for item in usable)]
    fresh = [i - len(asked) for i in distinct_indices(texts) if i >= len(asked)]
    kept = [usable[i] for i in fresh][:count]
    return UnanswerableResult(
        items=kept,
        dropped=len(written) - len(kept),
        provenance=provenance(client, rendered, reply.completion),
    )

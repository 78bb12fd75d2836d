"""Answers that quote the spans of their chunk they rely on: the reply's shape and the draft.

The quotes are the model's claim; `quality/citations.py` checks each against the chunk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.hygiene import clean_answer, clean_reasoning
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import AnswerResult, Persona
from easy_dataset.llm.types import ChatClient

# Bounded so a grammar-constrained local model always finishes the reply.
ANSWER_CHARS = 6000
QUOTE_CHARS = 1000
MAX_QUOTES = 12

AnswerText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ANSWER_CHARS)
]
Quote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=QUOTE_CHARS)]


class CitedAnswer(BaseModel):
    """An answer with the passages of the material it relies on, copied word for word."""

    answer: AnswerText
    quotes: list[Quote] = Field(max_length=MAX_QUOTES)


def kept_quotes(quotes: Sequence[str]) -> tuple[str, ...]:
    """The quotes without blanks and repeats, in order."""
    return tuple(dict.fromkeys(quote for quote in quotes if quote.strip()))


async def draft_cited_answer(
    client: ChatClient,
    *,
    question: str,
    chunk: str,
    language: str,
    heading_path: Sequence[str] = (),
    title: str = "",
    persona: Persona | None = None,
    overrides: Mapping[str, str] | None = None,
) -> AnswerResult:
    """`draft_answer` with quotes: the answer and the spans of the chunk it rests on (one
    structured call); the model's own reasoning, if it gave any, is the chain of thought."""
    rendered = prompt(
        "answer_cited",
        language,
        {
            "question": question,
            "chunk": chunk,
            "heading_path": heading_text(heading_path),
            "title": title,
            "persona": persona.to_dict() if persona else None,
        },
        (overrides or {}).get("answer_cited"),
    )
    reply = await ask_json(client, rendered, CitedAnswer)
    main = provenance(client, rendered, reply.completion)
    cot = clean_reasoning(reply.completion.reasoning or "").text
    return AnswerResult(
        clean_answer(reply.value.answer).text,
        cot,
        "reasoning" if cot else "none",
        "none",
        main,
        (main,),
        kept_quotes(reply.value.quotes),
    )

"""The judge of short and open answers: the answer compared with the reference by a rubric
with score anchors, scored 1 to 5, mapped onto 0..1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from easy_dataset.evaluate.scoring import JUDGE_MAX, JUDGE_MIN, judge_fraction
from easy_dataset.llm.structured import chat_structured
from easy_dataset.llm.types import ChatClient
from easy_dataset.prompts import render

JUDGE_PROMPT = "eval_judge"
REASON_CHARS = 1000  # bounded so a grammar-constrained model always finishes the reply


class EvalJudgement(BaseModel):
    """The judge's reply: its reason first (so it reasons before it scores), then 1-5."""

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_CHARS)
    ]
    score: Annotated[int, Field(ge=JUDGE_MIN, le=JUDGE_MAX)]


@dataclass(frozen=True)
class JudgedAnswer:
    """The judge's verdict: its 1-5 score, that score as 0..1, its reason and model."""

    rating: int
    score: float
    reason: str
    model: str
    prompt_tokens: int
    completion_tokens: int


async def judge_answer(
    client: ChatClient,
    *,
    kind: str,
    question: str,
    reference: str,
    answer: str,
    language: str,
    override: str | None = None,
) -> JudgedAnswer:
    """The answer scored against the reference by the judge model."""
    values = {"kind": kind, "question": question, "reference": reference, "answer": answer}
    rendered = render(JUDGE_PROMPT, language, values, override=override)
    reply = await chat_structured(client, list(rendered.messages), EvalJudgement)
    return JudgedAnswer(
        rating=reply.value.score,
        score=judge_fraction(reply.value.score),
        reason=" ".join(reply.value.reason.split()),
        model=reply.completion.model or client.config.model,
        prompt_tokens=reply.completion.prompt_tokens,
        completion_tokens=reply.completion.completion_tokens,
    )

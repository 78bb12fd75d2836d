"""Self-correction: the judge scores an answer; below a threshold the model rewrites it from
the judge's critique and the project's domain rules, and the judge scores it again, for up to
N rounds. Every draft is kept; the best one is the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.citations import AnswerText, CitedAnswer, kept_quotes
from easy_dataset.generate.hygiene import clean_answer
from easy_dataset.generate.judge import Judgement, judge_pair
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient

Outcome = Literal["passed", "improved", "stayed", "worse"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "improved", "stayed", "worse")


class RefinedAnswer(BaseModel):
    """The rewritten answer."""

    answer: AnswerText


@dataclass(frozen=True)
class Draft:
    """One answer and the judge's verdict on it; round 0 is the answer as it was."""

    round: int
    answer: str
    judgement: Judgement
    quotes: tuple[str, ...] = ()
    revision: Provenance | None = None  # the rewrite's prompt and model (None for round 0)


@dataclass(frozen=True)
class Refinement:
    """Every draft in order and which one is kept: a rewrite only when it scored higher
    than every draft before it, so the answer kept never scores below the first."""

    drafts: tuple[Draft, ...]
    best: int
    threshold: float

    @property
    def kept(self) -> Draft:
        return self.drafts[self.best]

    @property
    def outcome(self) -> Outcome:
        """passed: good enough as it was; improved: a rewrite scored higher and is kept;
        stayed: the best rewrite scored the same; worse: every rewrite scored lower."""
        if len(self.drafts) == 1:
            return "passed"
        if self.best:
            return "improved"
        first = self.drafts[0].judgement.score
        best_rewrite = max(draft.judgement.score for draft in self.drafts[1:])
        return "stayed" if best_rewrite == first else "worse"


async def rewrite_answer(
    client: ChatClient,
    *,
    question: str,
    answer: str,
    chunk: str,
    judgement: Judgement,
    rules: str,
    language: str,
    citations: bool = False,
    override: str | None = None,
) -> tuple[str, tuple[str, ...], Provenance]:
    """The answer rewritten from the judge's critique and the domain rules, with the
    passages it relies on when `citations` is on."""
    rendered = prompt(
        "answer_refine",
        language,
        {
            "question": question,
            "answer": answer,
            "chunk": chunk,
            "verdict": judgement.verdict,
            "scores": judgement.scores,
            "rules": rules,
            "citations": citations,
        },
        override,
    )
    schema: type[RefinedAnswer] | type[CitedAnswer] = CitedAnswer if citations else RefinedAnswer
    reply = await ask_json(client, rendered, schema)
    value: Any = reply.value
    quotes = kept_quotes(value.quotes) if isinstance(value, CitedAnswer) else ()
    return clean_answer(value.answer).text, quotes, provenance(client, rendered, reply.completion)


async def refine_answer(
    writer: ChatClient,
    judge: ChatClient,
    *,
    question: str,
    answer: str,
    chunk: str,
    language: str,
    cot: str = "",
    quotes: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    threshold: float = 3.0,
    max_rounds: int = 2,
    rules: str = "",
    citations: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> Refinement:
    """Judge the answer; while the best draft scores below `threshold` and rounds are left,
    rewrite the best draft from its critique and judge the rewrite. The chain of thought is
    judged with every draft (it stays as it is)."""
    overrides = overrides or {}

    async def judged(text: str) -> Judgement:
        return await judge_pair(
            judge,
            question=question,
            answer=text,
            chunk=chunk,
            language=language,
            weights=weights,
            cot=cot,
            override=overrides.get("judge"),
        )

    drafts = [Draft(0, answer, await judged(answer), tuple(quotes))]
    best = 0
    for round_ in range(1, max_rounds + 1):
        base = drafts[best]
        if base.judgement.score >= threshold:
            break
        text, cited, made = await rewrite_answer(
            writer,
            question=question,
            answer=base.answer,
            chunk=chunk,
            judgement=base.judgement,
            rules=rules,
            language=language,
            citations=citations,
            override=overrides.get("answer_refine"),
        )
        drafts.append(Draft(round_, text, await judged(text), cited, made))
        if drafts[-1].judgement.score > base.judgement.score:
            best = len(drafts) - 1
    return Refinement(tuple(drafts), best, threshold)

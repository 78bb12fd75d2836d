"""An LLM judge: one QA pair scored against its source chunk (or, with none, by the judge's
own knowledge), criterion by criterion."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient

CRITERIA = ("question", "accuracy", "relevance", "consistency")
# Accuracy counts double: a fluent answer with an invented fact is the costliest flaw to train on.
DEFAULT_WEIGHTS: dict[str, float] = {
    "question": 1.0,
    "accuracy": 2.0,
    "relevance": 1.0,
    "consistency": 1.0,
}
MAX_SCORE = 5
VERDICT_CHARS = 1000  # bounded so a grammar-constrained model always finishes the reply

_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(?:/\s*5\s*)?")


def _whole(value: Any) -> Any:
    """A score written as 4.0, "4" or "4/5" is 4 (halves round up); anything else is left."""
    # Left as it is, a bad value fails the integer check, whose message the model is shown.
    if isinstance(value, bool):
        # JSON true/false would pass as 1/0 and pose as a judgement.
        raise ValueError("a score is a whole number from 0 to 5, not true or false")
    if isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        if match is None:
            return value
        value = float(match.group(1))
    if isinstance(value, float) and math.isfinite(value):
        return math.floor(value + 0.5)
    return value


# The bounds come before the validator: after it, pydantic writes them into the JSON schema
# as "ge"/"le", which no constrained decoder understands.
Score = Annotated[int, Field(ge=0, le=MAX_SCORE), BeforeValidator(_whole)]
Verdict = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=VERDICT_CHARS)
]


class JudgeScores(BaseModel):
    """The judge's reply: one 0-5 score per criterion and a short verdict."""

    question: Score
    accuracy: Score
    relevance: Score
    consistency: Score
    verdict: Verdict

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        # Some models nest the numbers under "scores"; they are still the scores asked for,
        # and win over any top-level key of the same name (an echoed "question", say).
        if isinstance(data, dict) and isinstance(data.get("scores"), dict):
            rest = {key: value for key, value in data.items() if key != "scores"}
            return {**rest, **data["scores"]}
        return data


class OpenJudgeScores(JudgeScores):
    """The same reply, for a sample with no source material (judged by the model's own
    knowledge): its own schema name, so usage logs and test doubles tell the two apart."""


def judge_prompt(chunk: str, with_chunk: str, without: str) -> tuple[str, type[JudgeScores]]:
    """The judge's prompt and reply schema: against the chunk, or, with none, by the
    model's own knowledge (`without`, e.g. `judge_open`)."""
    return (with_chunk, JudgeScores) if chunk.strip() else (without, OpenJudgeScores)


@dataclass(frozen=True)
class Judgement:
    """A QA pair's scores per criterion, their weighted mean, the verdict and its provenance."""

    scores: dict[str, int]  # each criterion, 0-5
    score: float  # the weighted mean, 0-5, to 2 decimals; computed here, never by the model
    verdict: str
    provenance: Provenance


def resolve_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """The weights given, over DEFAULT_WEIGHTS; ValueError if unknown, negative or all zero."""
    merged = dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = sorted(set(weights) - set(CRITERIA))
        if unknown:
            raise ValueError(
                f"no criterion {', '.join(map(repr, unknown))}; the criteria are: "
                f"{', '.join(CRITERIA)}"
            )
        merged.update({name: float(weight) for name, weight in weights.items()})
    bad = [name for name, weight in merged.items() if not math.isfinite(weight) or weight < 0]
    if bad:
        raise ValueError(f"weights must be finite and not negative: {', '.join(bad)}")
    if not any(merged.values()):
        raise ValueError("at least one weight must be above zero")
    return merged


def weighted_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of the scores to 2 decimals; unnamed weights take DEFAULT_WEIGHTS."""
    resolved = resolve_weights(weights)
    missing = [name for name in CRITERIA if name not in scores]
    unknown = sorted(set(scores) - set(CRITERIA))
    if missing or unknown:
        raise ValueError(
            f"scores must cover exactly {', '.join(CRITERIA)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    total = sum(resolved[name] * float(scores[name]) for name in CRITERIA)
    return round(total / sum(resolved.values()), 2)


async def judge_pair(
    client: ChatClient,
    *,
    question: str,
    answer: str,
    chunk: str,
    language: str,
    weights: Mapping[str, float] | None = None,
    cot: str = "",
    override: str | None = None,
    tag_path: Sequence[str] = (),
) -> Judgement:
    """The pair scored 0-5 per criterion by the model, then weighted by our own arithmetic:
    against its chunk, or, for a pair with none (distilled data), by the judge's own
    knowledge and the subject `tag_path` names (the `judge_open` prompt)."""
    # Checked first: bad weights should fail before a model call is paid for.
    resolved = resolve_weights(weights)
    name, schema = judge_prompt(chunk, "judge", "judge_open")
    values: dict[str, Any] = {"question": question, "answer": answer, "cot": cot}
    if schema is JudgeScores:
        values["chunk"] = chunk
    else:
        values["tag_path"] = heading_text(tag_path)
    rendered = prompt(name, language, values, override)
    reply = await ask_json(client, rendered, schema)
    scores = {name: int(getattr(reply.value, name)) for name in CRITERIA}
    return Judgement(
        scores=scores,
        score=weighted_score(scores, resolved),
        verdict=" ".join(reply.value.verdict.split()),
        provenance=provenance(client, rendered, reply.completion),
    )

"""The LLM judge for dialogues: each assistant turn scored against the chunk, with the
conversation before it as context; a dialogue is as good as its weakest turn.

One call per turn rather than one call scoring every turn: each call is the single-pair
judge's task (same criteria, scale and reply shape, so the same tolerant parsing and
weights), a small model keeps its scores apart instead of drifting to one mark for the lot
or miscounting a list, and a bad reply is asked again for one turn, not for all of them.
The calls run concurrently; the client's limits pace them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from easy_dataset.errors import InputError
from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.dialogues import turn_pairs
from easy_dataset.generate.judge import (
    CRITERIA,
    JudgeScores,
    judge_prompt,
    resolve_weights,
    weighted_score,
)
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient
from easy_dataset.types import Message


@dataclass(frozen=True)
class TurnVerdict:
    """One turn's scores per criterion ("question" scores the user's message), their
    weighted mean, the verdict and its provenance."""

    turn: int  # 0-based
    scores: dict[str, int]
    score: float  # the weighted mean, 0-5, to 2 decimals
    verdict: str
    provenance: Provenance


def dialogue_score(verdicts: Sequence[TurnVerdict]) -> float:
    """The dialogue's score: its weakest turn's (one invented fact spoils the whole sample)."""
    if not verdicts:
        raise ValueError("a dialogue's score needs at least one judged turn")
    return min(verdict.score for verdict in verdicts)


async def judge_dialogue(
    client: ChatClient,
    *,
    chunk: str,
    messages: Sequence[Message],
    language: str,
    weights: Mapping[str, float] | None = None,
    override: str | None = None,
    tag_path: Sequence[str] = (),
) -> list[TurnVerdict]:
    """One verdict per turn, in order; a leading system message is not judged. With no
    chunk (distilled data) each turn is judged by the model's own knowledge and the subject
    `tag_path` names (the `judge_turn_open` prompt)."""
    resolved = resolve_weights(weights)  # bad weights fail before any call is paid for
    pairs = turn_pairs(messages)
    if not pairs:
        raise InputError("the dialogue has no user and assistant turn to judge")
    history = [{"user": user.content, "assistant": reply.content} for user, reply in pairs]
    name, schema = judge_prompt(chunk, "judge_turn", "judge_turn_open")
    source = {"chunk": chunk} if schema is JudgeScores else {"tag_path": heading_text(tag_path)}

    async def judge(turn: int) -> TurnVerdict:
        user, reply = pairs[turn]
        rendered = prompt(
            name,
            language,
            {
                **source,
                "message": user.content,
                "reply": reply.content,
                "history": history[:turn],
                "reasoning": reply.reasoning,
            },
            override,
        )
        answer = await ask_json(client, rendered, schema)
        scores = {name: int(getattr(answer.value, name)) for name in CRITERIA}
        return TurnVerdict(
            turn=turn,
            scores=scores,
            score=weighted_score(scores, resolved),
            verdict=" ".join(answer.value.verdict.split()),
            provenance=provenance(client, rendered, answer.completion),
        )

    # A turn that fails for good fails the dialogue: the group cancels the other calls.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(judge(turn)) for turn in range(len(pairs))]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the call's own error, as judge_pair raises
    return [task.result() for task in tasks]

"""Hygiene of a dialogue's turns (see `generate.hygiene`): each message repaired as an answer
is (leaked tags, HTML wrappers, doubled spaces) and flagged when nothing is left of it;
reasoning as a chain of thought is. A user's message is not held to a question's shape:
in a conversation "Tell me more." or "I see, thanks." are fine turns. The system message
is the caller's own and left alone.

Pure functions over messages: no model, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from easy_dataset.generate.hygiene import Reason, Repair, clean_answer, clean_reasoning
from easy_dataset.quality.samples import field_name, spoken
from easy_dataset.types import Message


@dataclass(frozen=True)
class TurnsHygiene:
    """A dialogue's messages after repair, with what was repaired and flagged, by field
    (`messages[<index>].content` or `.reasoning`)."""

    messages: tuple[Message, ...]
    repairs: dict[str, tuple[Repair, ...]] = field(default_factory=dict)
    issues: tuple[tuple[str, Reason], ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.issues)

    @property
    def repaired(self) -> bool:
        return any(self.repairs.values())

    def texts(self) -> dict[str, str]:
        """Every checked text after repair, by field."""
        return texts_of(self.messages)

    def detail(self) -> dict[str, Any]:
        """What a quality result keeps, in the shape of a pair's (`PairHygiene.detail`)."""
        return {
            "issues": [{"field": name, "reason": reason} for name, reason in self.issues],
            "repairs": {name: list(done) for name, done in self.repairs.items() if done},
        }


def texts_of(messages: Sequence[Message]) -> dict[str, str]:
    """The texts hygiene checks in a dialogue, by field: each spoken message's content, and
    an assistant's reasoning."""
    found: dict[str, str] = {}
    for index, turn in spoken(messages):
        found[field_name(index)] = turn.text
        if turn.role == "assistant":
            found[field_name(index, "reasoning")] = turn.reasoning
    return found


def check_turns(messages: Sequence[Message]) -> TurnsHygiene:
    """Every spoken message of a dialogue repaired, and flagged where repair is not enough."""
    repaired = list(messages)
    repairs: dict[str, tuple[Repair, ...]] = {}
    issues: list[tuple[str, Reason]] = []
    for index, turn in spoken(messages):
        content = clean_answer(turn.content)
        repairs[field_name(index)] = content.repairs
        issues += [(field_name(index), reason) for reason in content.issues]
        reasoning = turn.reasoning
        if turn.role == "assistant":
            cleaned = clean_reasoning(turn.reasoning)
            repairs[field_name(index, "reasoning")] = cleaned.repairs
            reasoning = cleaned.text
        repaired[index] = turn.model_copy(update={"content": content.text, "reasoning": reasoning})
    return TurnsHygiene(tuple(repaired), repairs, tuple(issues))


def with_texts(messages: Sequence[Message], texts: dict[str, str]) -> list[Message]:
    """`messages` with the texts of the fields given (by `field_name`) replaced."""
    changed = list(messages)
    for index, turn in enumerate(messages):
        update = {
            part: texts[name]
            for part in ("content", "reasoning")
            if (name := field_name(index, part)) in texts
        }
        if update:
            changed[index] = turn.model_copy(update=update)
    return changed

"""A sample's texts as the quality checks read them.

A QA pair is one question and one answer. A dialogue is every turn in order: the checks
that compare a sample with its source look at each assistant reply, those that compare
samples with each other read the whole conversation, and those that scan text read every
message. A finding in a dialogue names its place as `messages[<index>].<part>`, the index
into the stored messages (a leading system message counts), so any interface can point at
the exact text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from easy_dataset.samples_shape import sample_messages
from easy_dataset.types import Message


@dataclass(frozen=True)
class Reply:
    """One assistant reply of a dialogue with the user's message it answers."""

    turn: int  # 0-based, counting user–assistant exchanges (as the dialogue judge does)
    message: int  # the reply's index in the stored messages
    user: Message
    reply: Message


def field_name(message: int, part: str = "content") -> str:
    """Where a finding sits in a dialogue: `messages[3].content`, `messages[3].reasoning`."""
    return f"messages[{message}].{part}"


def spoken(messages: Sequence[Message]) -> list[tuple[int, Message]]:
    """The user and assistant messages with their indexes: a system message is not said."""
    return [(index, turn) for index, turn in enumerate(messages) if turn.role != "system"]


def replies(messages: Sequence[Message]) -> list[Reply]:
    """Each assistant reply with the user message before it, in order."""
    found: list[Reply] = []
    asked: Message | None = None
    for index, turn in spoken(messages):
        if turn.role == "user":
            asked = turn
        elif asked is not None:
            found.append(Reply(len(found), index, asked, turn))
            asked = None
    return found


def sample_text(
    kind: str,
    question: str,
    answer: str,
    messages: Sequence[Message | Mapping[str, Any]] | None,
) -> str:
    """The text samples are compared by: a pair's question and answer, a dialogue's spoken
    turns in order (two dialogues that open alike but go on differently differ)."""
    if kind == "dialogue":
        turns = sample_messages(kind, question, answer, "", messages)
        return "\n".join(turn.text for _, turn in spoken(turns))
    return f"{question}\n{answer}"

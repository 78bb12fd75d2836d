"""A sample's turns, read from and written to its stored columns: the one place that knows how.

A QA pair (kind "qa") keeps its one turn in the plain columns question / answer / cot, so
lists, filters and exports of a million rows never parse JSON. A dialogue keeps every turn
in `messages`, and mirrors its first question and last answer into question / answer so the
same lists, searches and filters work on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from easy_dataset.errors import InputError
from easy_dataset.types import Message, SampleKind

SAMPLE_KINDS: tuple[SampleKind, ...] = ("qa", "dialogue")


def _message(value: Message | Mapping[str, Any], place: int) -> Message:
    if isinstance(value, Message):
        return value
    try:
        return Message.model_validate(value)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InputError(
            f"message {place + 1} is not a message ({where}: {problem['msg']}); "
            "give role, content and optionally reasoning"
        ) from None


def check_dialogue(messages: Iterable[Message | Mapping[str, Any]]) -> list[Message]:
    """The turns as Messages, once they make a dialogue; InputError says what is wrong if not.

    A dialogue is an optional system message, then user and assistant turns alternating,
    starting with the user and ending with the assistant; no turn is empty, and only the
    assistant reasons.
    """
    turns = [_message(value, place) for place, value in enumerate(messages)]
    offset = 1 if turns and turns[0].role == "system" else 0
    spoken = turns[offset:]
    if not spoken:
        raise InputError("a dialogue needs at least one user turn and one assistant reply")
    for place, turn in enumerate(turns):
        expected = "system" if place < offset else ("user", "assistant")[(place - offset) % 2]
        if turn.role != expected:
            raise InputError(
                f"message {place + 1} is from the {turn.role}, expected the {expected}: a "
                "dialogue alternates user and assistant after an optional system message"
            )
        if not turn.text.strip():
            raise InputError(f"message {place + 1} ({turn.role}) is empty")
        if turn.reasoning and turn.role != "assistant":
            raise InputError(f"message {place + 1} ({turn.role}) has reasoning; only replies do")
    if spoken[-1].role != "assistant":
        raise InputError("a dialogue ends with the assistant's reply")
    return turns


def dialogue_columns(messages: Iterable[Message | Mapping[str, Any]]) -> dict[str, Any]:
    """The stored columns of a dialogue: kind, messages, and its first question and last answer.

    Raises InputError when the turns do not make a dialogue (see `check_dialogue`).
    """
    turns = check_dialogue(messages)
    return {
        "kind": "dialogue",
        "question": next(turn.text for turn in turns if turn.role == "user"),
        "answer": turns[-1].text,
        "cot": "",
        "messages": [turn.model_dump() for turn in turns],
    }


def sample_messages(
    kind: str,
    question: str,
    answer: str,
    cot: str,
    messages: Sequence[Message | Mapping[str, Any]] | None,
    system: str | None = None,
) -> list[Message]:
    """A stored sample's turns in order; `system`, when given, is its system message.

    The system message given here (an export's system prompt) replaces a dialogue's own.
    """
    if kind == "qa":
        turns = [
            Message(role="user", content=question),
            Message(role="assistant", content=answer, reasoning=cot or ""),
        ]
    elif kind == "dialogue":
        if not messages:
            raise InputError("a dialogue sample has no stored messages; it cannot be read")
        turns = [_message(value, place) for place, value in enumerate(messages)]
        if system is not None and turns[0].role == "system":
            turns = turns[1:]
    else:
        raise InputError(f"unknown sample kind {kind!r}; expected one of {', '.join(SAMPLE_KINDS)}")
    if system is not None:
        turns.insert(0, Message(role="system", content=system))
    return turns

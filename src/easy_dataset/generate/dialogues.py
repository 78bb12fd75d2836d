"""Multi-turn dialogues from one chunk: written whole in one structured call, or continued
from a chosen turn.

One call writes every turn as JSON: the model sees the whole conversation it is shaping,
so follow-ups build on earlier replies, and a small model has one document to get right
rather than a chain of calls each of which may fail. The turn count is drawn between the
spec's bounds (seeded, so a rerun asks the same) and stated in the prompt; a reply with
fewer turns than the minimum is asked again with the error, one with more than the maximum
keeps its first turns (see `dialogue_schema`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.dialogue_schema import DialogueSpec, dialogue_schema
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient
from easy_dataset.types import Message

_SYSTEM = {
    "en": ("Your role: {assistant}. You are talking with: {user}.", " Situation: {scenario}"),
    "zh": ("你的身份：{assistant}。对话对象：{user}。", "情境：{scenario}"),
}


@dataclass(frozen=True)
class DialogueResult:
    """A dialogue: its scenario, its messages (system?, then user/assistant pairs), and the
    prompt and model that wrote it."""

    scenario: str
    messages: list[Message]
    turns: int  # user/assistant pairs in `messages`
    provenance: Provenance
    kept_turns: int = 0  # turns carried over unchanged from the dialogue continued
    trimmed: int = 0  # turns beyond max_turns cut from the reply


def system_message(spec: DialogueSpec, scenario: str) -> Message:
    """The leading system message: the assistant's role, who it talks with, the situation."""
    head, tail = _SYSTEM[spec.language]
    text = head.format(
        assistant=spec.assistant_role.rstrip(".。"), user=spec.user_role.rstrip(".。")
    )
    if scenario:
        text += tail.format(scenario=scenario)
    return Message(role="system", content=text)


def turn_pairs(messages: Sequence[Message]) -> list[tuple[Message, Message]]:
    """The (user, assistant) pairs of a dialogue, after any leading system message;
    InputError when the messages do not alternate user, assistant, starting with the user."""
    spoken = list(messages[1:] if messages and messages[0].role == "system" else messages)
    roles = [message.role for message in spoken]
    if roles != ["user", "assistant"] * (len(spoken) // 2):
        raise InputError(
            "a dialogue's messages must be an optional system message, then user and "
            f"assistant messages in turn, ending with the assistant; got {', '.join(roles)}"
        )
    return list(zip(spoken[::2], spoken[1::2], strict=True))


def _turn_count(spec: DialogueSpec, low: int, turns: int | None, seed: int | None) -> int:
    low = max(low, spec.min_turns)
    if low > spec.max_turns:
        raise InputError(
            f"no room for another turn: the dialogue may have at most {spec.max_turns} turns"
        )
    if turns is None:
        return random.Random(seed).randint(low, spec.max_turns)
    if not low <= turns <= spec.max_turns:
        raise InputError(f"turns must be between {low} and {spec.max_turns}, not {turns}")
    return turns


def _messages(reply_turns: Sequence[Any]) -> list[Message]:
    messages: list[Message] = []
    for turn in reply_turns:
        messages.append(Message(role="user", content=turn.user))
        reasoning = getattr(turn, "reasoning", "")
        messages.append(Message(role="assistant", content=turn.assistant, reasoning=reasoning))
    return messages


def _common(
    spec: DialogueSpec, chunk: str, heading_path: Sequence[str], title: str
) -> dict[str, Any]:
    return {
        "chunk": chunk,
        "user_role": spec.user_role,
        "assistant_role": spec.assistant_role,
        "heading_path": heading_text(heading_path),
        "title": title,
        "with_reasoning": spec.reasoning,
    }


async def generate_dialogue(
    client: ChatClient,
    *,
    chunk: str,
    spec: DialogueSpec,
    heading_path: Sequence[str] = (),
    title: str = "",
    turns: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, str] | None = None,
) -> DialogueResult:
    """A dialogue about the chunk of `turns` turns (else a seeded draw between the spec's
    bounds), every assistant reply grounded in the chunk."""
    if not chunk.strip():
        raise InputError("a dialogue needs a chunk with text to ground its replies in")
    count = _turn_count(spec, 1, turns, seed)
    rendered = prompt(
        "dialogue",
        spec.language,
        {**_common(spec, chunk, heading_path, title), "turns": count, "scenario": spec.scenario},
        (overrides or {}).get("dialogue"),
    )
    schema = dialogue_schema(
        spec.min_turns, spec.max_turns, scenario=not spec.scenario, reasoning=spec.reasoning
    )
    reply: Any = await ask_json(client, rendered, schema)
    written = reply.value.turns
    scenario = spec.scenario or reply.value.scenario
    body = _messages(written[: spec.max_turns])
    lead = [system_message(spec, scenario)] if spec.system_message else []
    return DialogueResult(
        scenario=scenario,
        messages=lead + body,
        turns=len(body) // 2,
        provenance=provenance(client, rendered, reply.completion),
        trimmed=max(0, len(written) - spec.max_turns),
    )


async def generate_topic_dialogue(
    client: ChatClient,
    *,
    question: str,
    spec: DialogueSpec,
    tag_path: Sequence[str] = (),
    description: str = "",
    turns: int | None = None,
    seed: int | None = None,
    override: str | None = None,
) -> DialogueResult:
    """A dialogue with no chunk (distilled data): it opens with `question`, word for word,
    and stays on the subject at the end of `tag_path`; replies come from the model's own
    knowledge."""
    if not question.strip():
        raise InputError("a dialogue from a topic needs a question to open with")
    count = _turn_count(spec, 1, turns, seed)
    rendered = prompt(
        "dialogue_open",
        spec.language,
        {
            "question": question,
            "user_role": spec.user_role,
            "assistant_role": spec.assistant_role,
            "turns": count,
            "tag_path": heading_text(tag_path),
            "description": description,
            "scenario": spec.scenario,
            "with_reasoning": spec.reasoning,
        },
        override,
    )
    schema = dialogue_schema(
        spec.min_turns, spec.max_turns, scenario=not spec.scenario, reasoning=spec.reasoning
    )
    reply: Any = await ask_json(client, rendered, schema)
    written = reply.value.turns
    scenario = spec.scenario or reply.value.scenario
    body = _messages(written[: spec.max_turns])
    # The question is the sample's first turn as it was asked (and reviewed), whatever
    # wording the model echoed.
    body[0] = Message(role="user", content=" ".join(question.split()))
    lead = [system_message(spec, scenario)] if spec.system_message else []
    return DialogueResult(
        scenario=scenario,
        messages=lead + body,
        turns=len(body) // 2,
        provenance=provenance(client, rendered, reply.completion),
        trimmed=max(0, len(written) - spec.max_turns),
    )


async def continue_dialogue(
    client: ChatClient,
    *,
    chunk: str,
    spec: DialogueSpec,
    messages: Sequence[Message],
    from_turn: int,
    heading_path: Sequence[str] = (),
    title: str = "",
    turns: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, str] | None = None,
) -> DialogueResult:
    """The dialogue rewritten from turn `from_turn` (0-based) on: every message before that
    turn's user message is kept as it is, and new turns bring the total to `turns` (else a
    seeded draw) within the spec's bounds. The scenario is the spec's; pass the one the
    dialogue was written with (DialogueResult.scenario)."""
    if not chunk.strip():
        raise InputError("a dialogue needs a chunk with text to ground its replies in")
    lead = 1 if messages and messages[0].role == "system" else 0
    if from_turn < 0 or lead + 2 * from_turn > len(messages):
        raise InputError(
            f"from_turn must be between 0 and the dialogue's {(len(messages) - lead) // 2} "
            f"turns, not {from_turn}"
        )
    kept = list(messages[: lead + 2 * from_turn])
    history = [
        {"user": user.content, "assistant": assistant.content}
        for user, assistant in turn_pairs(kept)
    ]
    total = _turn_count(spec, from_turn + 1, turns, seed)
    count = total - from_turn
    rendered = prompt(
        "dialogue_continue",
        spec.language,
        {
            **_common(spec, chunk, heading_path, title),
            "turns": count,
            "history": history,
            "scenario": spec.scenario,
        },
        (overrides or {}).get("dialogue_continue"),
    )
    room = spec.max_turns - from_turn
    minimum = max(1, spec.min_turns - from_turn)
    schema = dialogue_schema(minimum, room, scenario=False, reasoning=spec.reasoning)
    reply: Any = await ask_json(client, rendered, schema)
    written = reply.value.turns
    body = kept + _messages(written[:room])
    return DialogueResult(
        scenario=spec.scenario,
        messages=body,
        turns=(len(body) - lead) // 2,
        provenance=provenance(client, rendered, reply.completion),
        kept_turns=from_turn,
        trimmed=max(0, len(written) - room),
    )

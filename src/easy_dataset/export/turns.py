"""Records shaped from a sample's turns: how a dialogue is exported, in every format.

A QA pair takes the faster road in `formats` (no Messages built per row); for a QA pair's
two turns both roads write the same bytes, which the tests check. The export's reply is
the last assistant turn; earlier exchanges become the format's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from easy_dataset.export.options import ExportFormat, ExportOptions
from easy_dataset.export.records import ExportRecord
from easy_dataset.export.reply import reply_text
from easy_dataset.types import Message

Exchange = tuple[Message, Message]
TurnShaper = Callable[[ExportRecord, list[Message], ExportOptions], dict[str, Any]]


def _split(turns: list[Message]) -> tuple[str | None, list[Exchange]]:
    """The system text (if any) and the user / assistant exchanges, in order."""
    system = turns[0].text if turns and turns[0].role == "system" else None
    spoken = turns[1:] if system is not None else turns
    # Stored dialogues are checked on write (samples_shape.check_dialogue): they alternate.
    return system, list(zip(spoken[::2], spoken[1::2], strict=True))


def _reply(turn: Message, options: ExportOptions) -> str:
    return reply_text(turn.text, turn.reasoning, options)


def _history(earlier: list[Exchange], options: ExportOptions) -> list[list[str]]:
    """LLaMA-Factory's alpaca history: the exchanges before the last, [[user, assistant], …]."""
    return [[user.text, _reply(reply, options)] for user, reply in earlier]


def _alpaca(record: ExportRecord, turns: list[Message], options: ExportOptions) -> dict[str, Any]:
    system, exchanges = _split(turns)
    question, reply = exchanges[-1]
    shaped: dict[str, Any]
    if options.alpaca_question_as == "input":
        shaped = {"instruction": options.alpaca_instruction, "input": question.text}
    else:
        shaped = {"instruction": question.text, "input": ""}
    shaped["output"] = _reply(reply, options)
    if system is not None:
        shaped["system"] = system
    if options.cot_mode == "field":
        shaped["reasoning"] = reply.reasoning
    if record.kind != "qa":
        # On every dialogue, even one of a single exchange: the column is there when named.
        shaped["history"] = _history(exchanges[:-1], options)
    return shaped


def _sharegpt(record: ExportRecord, turns: list[Message], options: ExportOptions) -> dict[str, Any]:
    system, exchanges = _split(turns)
    conversations: list[dict[str, str]] = []
    for question, reply in exchanges:
        conversations.append({"from": "human", "value": question.text})
        conversations.append({"from": "gpt", "value": _reply(reply, options)})
    shaped: dict[str, Any] = {"conversations": conversations}
    # LLaMA-Factory reads the system prompt from its own column, not from a turn.
    if system is not None:
        shaped["system"] = system
    if options.cot_mode == "field":
        shaped["reasoning"] = exchanges[-1][1].reasoning
    return shaped


def _messages(record: ExportRecord, turns: list[Message], options: ExportOptions) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    for turn in turns:
        if turn.role != "assistant":
            messages.append({"role": turn.role, "content": turn.text})
            continue
        reply = {"role": "assistant", "content": _reply(turn, options)}
        if options.cot_mode == "field":
            # The field name reasoning models' chat APIs (DeepSeek, vLLM, Qwen) return.
            reply["reasoning_content"] = turn.reasoning
        messages.append(reply)
    return {"messages": messages}


def _reasoning(
    record: ExportRecord, turns: list[Message], options: ExportOptions
) -> dict[str, Any]:
    system, exchanges = _split(turns)
    question, reply = exchanges[-1]
    shaped: dict[str, Any] = {
        "question": question.text,
        "reasoning": reply.reasoning,
        "answer": reply.text,
    }
    if system is not None:
        shaped["system"] = system
    if record.kind != "qa":
        shaped["history"] = _history(exchanges[:-1], options)
    return shaped


def custom_values(
    record: ExportRecord,
    question: str,
    answer: str,
    cot: str,
    system: str | None,
    history: list[list[str]],
) -> dict[str, Any]:
    """Every value a custom field map may name (`options.CUSTOM_SOURCES`), for one record."""
    return {
        "question": question,
        "answer": answer,
        "cot": cot,
        "system": system,
        "history": history,
        "id": record.id,
        "tags": list(record.tags),
        "score": record.finite_score,
        "confirmed": record.confirmed,
    }


def _custom(record: ExportRecord, turns: list[Message], options: ExportOptions) -> dict[str, Any]:
    system, exchanges = _split(turns)
    question, reply = exchanges[-1]
    values = custom_values(
        record,
        question.text,
        _reply(reply, options),
        reply.reasoning,
        system,
        _history(exchanges[:-1], options),
    )
    return {name: values[source] for source, name in options.field_map.items()}


TURN_SHAPERS: dict[ExportFormat, TurnShaper] = {
    "alpaca": _alpaca,
    "sharegpt": _sharegpt,
    "messages": _messages,
    "reasoning": _reasoning,
    "custom": _custom,
}

"""One QA pair → one output record, in the shape each training tool reads."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from easy_dataset.export.options import ExportFormat, ExportOptions
from easy_dataset.export.records import ExportRecord
from easy_dataset.generate.hygiene import strip_leaked_tags

Shaper = Callable[[ExportRecord, ExportOptions], dict[str, Any]]


def think_answer(cot: str, answer: str) -> str:
    """The answer with its reasoning in front, the way reasoning chat templates train on it."""
    # A tag the model leaked (`</answer>`, a second `</think>`) would end the block early or
    # teach the template's tags as content: none reaches the file. Only that debris goes,
    # outside code: `<output>` or XML in a code fence is content and is kept as written.
    cot, answer = strip_leaked_tags(cot).strip(), strip_leaked_tags(answer).strip()
    # Without reasoning there is nothing to wrap: an empty think block would teach silence.
    return f"<think>\n{cot}\n</think>\n\n{answer}" if cot else answer


def _answer(record: ExportRecord, options: ExportOptions) -> str:
    if options.cot_mode == "think":
        return think_answer(record.cot, record.answer)
    return record.answer


def _score(value: float | None) -> float | None:
    # NaN and infinity are not JSON; a score that is not a number is no score.
    return value if value is not None and math.isfinite(value) else None


def metadata(record: ExportRecord) -> dict[str, Any]:
    """Where a record came from, with every key present so columns stay the same per row."""
    source = record.provenance
    return {
        "id": record.id,
        "file": source.get("file"),
        "heading_path": source.get("heading_path"),
        "tag": source.get("tag"),
        "tags": list(record.tags),
        "persona": source.get("persona"),
        "model": source.get("model"),
        "score": _score(record.score),
        "confirmed": record.confirmed,
    }


def _alpaca(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    shaped: dict[str, Any]
    if options.alpaca_question_as == "input":
        shaped = {"instruction": options.alpaca_instruction, "input": record.question}
    else:
        shaped = {"instruction": record.question, "input": ""}
    shaped["output"] = _answer(record, options)
    if options.system_prompt is not None:
        shaped["system"] = options.system_prompt
    if options.cot_mode == "field":
        shaped["reasoning"] = record.cot
    return shaped


def _sharegpt(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "conversations": [
            {"from": "human", "value": record.question},
            {"from": "gpt", "value": _answer(record, options)},
        ]
    }
    # LLaMA-Factory reads the system prompt from its own column, not from a turn.
    if options.system_prompt is not None:
        shaped["system"] = options.system_prompt
    if options.cot_mode == "field":
        shaped["reasoning"] = record.cot
    return shaped


def _messages(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    if options.system_prompt is not None:
        messages.append({"role": "system", "content": options.system_prompt})
    messages.append({"role": "user", "content": record.question})
    reply = {"role": "assistant", "content": _answer(record, options)}
    if options.cot_mode == "field":
        # The field name reasoning models' chat APIs (DeepSeek, vLLM, Qwen) return.
        reply["reasoning_content"] = record.cot
    messages.append(reply)
    return {"messages": messages}


def _reasoning(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    shaped = {"question": record.question, "reasoning": record.cot, "answer": record.answer}
    if options.system_prompt is not None:
        shaped["system"] = options.system_prompt
    return shaped


def _custom(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    values: dict[str, Any] = {
        "question": record.question,
        "answer": _answer(record, options),
        "cot": record.cot,
        "system": options.system_prompt,
        "id": record.id,
        "tags": list(record.tags),
        "score": _score(record.score),
        "confirmed": record.confirmed,
    }
    # The user's order of fields is kept: the map's order is the record's order.
    return {name: values[source] for source, name in options.field_map.items()}


SHAPERS: dict[ExportFormat, Shaper] = {
    "alpaca": _alpaca,
    "sharegpt": _sharegpt,
    "messages": _messages,
    "reasoning": _reasoning,
    "custom": _custom,
}


def shape(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    """The output record for one QA pair, with its `metadata` when provenance is asked for."""
    # Leaked chat-template debris (`<think>`, `</answer>`, `<|im_end|>`, outside inline and
    # fenced code) never reaches an exported file, whatever the format, confirmed pairs
    # included; every other text is exported byte for byte.
    clean = dataclasses.replace(
        record,
        question=strip_leaked_tags(record.question),
        answer=strip_leaked_tags(record.answer),
        cot=strip_leaked_tags(record.cot),
    )
    shaped = SHAPERS[options.format](clean, options)
    if options.include_provenance:
        shaped["metadata"] = metadata(record)
    return shaped

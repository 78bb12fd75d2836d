"""One sample → one output record, in the shape each training tool reads.

QA pairs are shaped here straight from question / answer / cot, the fast path of a
million-row export; dialogues go through their turns (`turns.TURN_SHAPERS`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from easy_dataset.export.citations import citations
from easy_dataset.export.options import ExportFormat, ExportOptions
from easy_dataset.export.records import ExportRecord
from easy_dataset.export.reply import reply_text
from easy_dataset.export.turns import TURN_SHAPERS, custom_values
from easy_dataset.generate.hygiene import strip_leaked_tags
from easy_dataset.samples_shape import sample_messages
from easy_dataset.types import Message

Shaper = Callable[[ExportRecord, ExportOptions], dict[str, Any]]


def _answer(record: ExportRecord, options: ExportOptions) -> str:
    return reply_text(record.answer, record.cot, options)


# How a sample made without a chunk, or from another sample, came to be: Self-Instruct's
# round, Evol-Instruct's parent question, method and generation.
LINEAGE_KEYS = ("round", "parent_question_id", "evolution", "generation")


def lineage(provenance: dict[str, Any]) -> dict[str, Any] | None:
    found = {key: provenance[key] for key in LINEAGE_KEYS if provenance.get(key) is not None}
    return found or None


def metadata(record: ExportRecord) -> dict[str, Any]:
    """Where a record came from, with every key present so columns stay the same per row."""
    source = record.provenance
    return {
        "id": record.id,
        "kind": record.kind,
        "file": source.get("file"),
        "heading_path": source.get("heading_path"),
        "tag": source.get("tag"),
        "tags": list(record.tags),
        "persona": source.get("persona"),
        # How it was made when not from a chunk: "distilled" (from a topic, with its tag
        # path), "self-instruct", "evol-instruct" (with their lineage); None from a chunk.
        "source": source.get("source"),
        "tag_path": source.get("tag_path"),
        "lineage": lineage(source),
        "model": source.get("model"),
        "score": record.finite_score,
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
    values = custom_values(
        record, record.question, _answer(record, options), record.cot, options.system_prompt, []
    )
    # The user's order of fields is kept: the map's order is the record's order.
    return {name: values[source] for source, name in options.field_map.items()}


# Formats whose readers ignore a field they do not know, so a sample answering an
# unanswerable question can say so (`"unanswerable": true`) for users to keep or drop it.
# Messages follow OpenAI's fine-tuning shape, which takes no other field; a custom record
# holds the fields its map names, no more.
MARKED_FORMATS: tuple[ExportFormat, ...] = ("alpaca", "sharegpt", "reasoning")

SHAPERS: dict[ExportFormat, Shaper] = {
    "alpaca": _alpaca,
    "sharegpt": _sharegpt,
    "messages": _messages,
    "reasoning": _reasoning,
    "custom": _custom,
}


def _clean(turn: Message) -> Message:
    return turn.model_copy(
        update={
            "content": strip_leaked_tags(turn.content),
            "reasoning": strip_leaked_tags(turn.reasoning),
        }
    )


def shape(record: ExportRecord, options: ExportOptions) -> dict[str, Any]:
    """The output record for one sample, with its `metadata` when provenance is asked for."""
    # Leaked chat-template debris (`<think>`, `</answer>`, `<|im_end|>`, outside inline and
    # fenced code) never reaches an exported file, whatever the format, confirmed pairs
    # included; every other text is exported byte for byte.
    if record.kind == "qa":
        clean = dataclasses.replace(
            record,
            question=strip_leaked_tags(record.question),
            answer=strip_leaked_tags(record.answer),
            cot=strip_leaked_tags(record.cot),
        )
        shaped = SHAPERS[options.format](clean, options)
    else:
        turns = sample_messages(
            record.kind,
            record.question,
            record.answer,
            record.cot,
            record.messages,
            options.system_prompt,
        )
        shaped = TURN_SHAPERS[options.format](record, [_clean(turn) for turn in turns], options)
    if record.provenance.get("unanswerable") is True and options.format in MARKED_FORMATS:
        shaped["unanswerable"] = True
    if options.include_provenance:
        shaped["metadata"] = metadata(record)
    if options.include_citations:
        shaped["citations"] = citations(record)
    return shaped

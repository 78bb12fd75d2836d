"""LLaMA-Factory's `dataset_info.json` entry, so an export loads there with no hand edits."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.export.options import ExportOptions

SHAREGPT_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
}
# LLaMA-Factory's "OpenAI format": sharegpt formatting with OpenAI's role names.
MESSAGES_TAGS = {
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "system_tag": "system",
}


def _entry(
    options: ExportOptions, file_name: str, dialogues: bool, own_system: bool
) -> dict[str, Any]:
    # A column is named only when written: LLaMA-Factory fails on a missing column. The
    # system column holds the export's system prompt, else a dialogue's own system message.
    written = options.system_prompt is not None or own_system
    system = {"system": "system"} if written else {}
    if options.format == "alpaca":
        columns = {"prompt": "instruction", "query": "input", "response": "output"} | system
        if dialogues:
            # A dialogue's earlier exchanges, [[user, assistant], …]; null on QA pairs.
            columns["history"] = "history"
        return {"file_name": file_name, "formatting": "alpaca", "columns": columns}
    if options.format == "sharegpt":
        return {
            "file_name": file_name,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations"} | system,
            "tags": dict(SHAREGPT_TAGS),
        }
    if options.format == "messages":
        return {
            "file_name": file_name,
            "formatting": "sharegpt",
            "columns": {"messages": "messages"},
            "tags": dict(MESSAGES_TAGS),
        }
    raise InputError(
        f"LLaMA-Factory reads alpaca, sharegpt and messages exports, not {options.format}"
    )


def dataset_info(
    options: ExportOptions,
    file_name: str,
    dataset_name: str,
    *,
    dialogues: bool = False,
    own_system: bool = False,
) -> dict[str, Any]:
    """`{dataset_name: entry}`, ready to merge into LLaMA-Factory's `dataset_info.json`.

    `dialogues`: the export holds dialogues (alpaca then has a history column);
    `own_system`: one of them has its own system message (a system column even without
    the export's system prompt).
    """
    if not dataset_name.strip():
        raise InputError("a LLaMA-Factory dataset needs a name")
    return {dataset_name: _entry(options, file_name, dialogues, own_system)}

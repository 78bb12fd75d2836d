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


def _entry(options: ExportOptions, file_name: str) -> dict[str, Any]:
    # A system column is named only when written: LLaMA-Factory fails on a missing column.
    system = {"system": "system"} if options.system_prompt is not None else {}
    if options.format == "alpaca":
        columns = {"prompt": "instruction", "query": "input", "response": "output"} | system
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


def dataset_info(options: ExportOptions, file_name: str, dataset_name: str) -> dict[str, Any]:
    """`{dataset_name: entry}`, ready to merge into LLaMA-Factory's `dataset_info.json`."""
    if not dataset_name.strip():
        raise InputError("a LLaMA-Factory dataset needs a name")
    return {dataset_name: _entry(options, file_name)}

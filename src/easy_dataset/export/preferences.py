"""Preference pairs as training files: TRL's DPO formats and LLaMA-Factory's ranking
formats (with the `dataset_info.json` entry), one JSON object a line.

- `trl`: TRL's standard preference type, `prompt` / `chosen` / `rejected` strings. It has
  no place for a system prompt, so a pair's system prompt is left out: use
  `trl-conversational` to keep it.
- `trl-conversational`: the same columns as message lists; `prompt` holds the system
  message (if any) and the user's, `chosen` / `rejected` one assistant message each.
- `llamafactory`: the alpaca-style ranking format, `instruction` / `input` / `chosen` /
  `rejected` (and `system` when a pair has one).
- `llamafactory-sharegpt`: `conversations` (the user's turn) with `chosen` / `rejected`
  as one assistant message each, and `system` when a pair has one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any, Literal, get_args

from easy_dataset.errors import InputError
from easy_dataset.evaluate.preferences import PreferencePair
from easy_dataset.export.llamafactory import SHAREGPT_TAGS

PreferenceFormat = Literal["trl", "trl-conversational", "llamafactory", "llamafactory-sharegpt"]
PREFERENCE_FORMATS: tuple[PreferenceFormat, ...] = get_args(PreferenceFormat)
LLAMAFACTORY_FORMATS: tuple[PreferenceFormat, ...] = ("llamafactory", "llamafactory-sharegpt")

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _system(pair: PreferencePair, default: str | None) -> str:
    """The pair's own system prompt, else the export's."""
    return pair.system or default or ""


def preference_record(
    pair: PreferencePair,
    format: PreferenceFormat,
    *,
    system: str | None = None,
    system_column: bool = False,
) -> dict[str, Any]:
    """One pair as `format` writes it. `system` is the export's system prompt for pairs
    without their own; `system_column` writes LLaMA-Factory's system column on every row
    (one column for the whole file, so `datasets` reads one schema)."""
    prompt = _system(pair, system)
    if format == "trl":
        return {"prompt": pair.prompt, "chosen": pair.chosen, "rejected": pair.rejected}
    if format == "trl-conversational":
        opening = [{"role": "system", "content": prompt}] if prompt else []
        return {
            "prompt": [*opening, {"role": "user", "content": pair.prompt}],
            "chosen": [{"role": "assistant", "content": pair.chosen}],
            "rejected": [{"role": "assistant", "content": pair.rejected}],
        }
    user, assistant = SHAREGPT_TAGS["user_tag"], SHAREGPT_TAGS["assistant_tag"]
    if format == "llamafactory":
        record: dict[str, Any] = {
            "instruction": pair.prompt,
            "input": "",
            "chosen": pair.chosen,
            "rejected": pair.rejected,
        }
    elif format == "llamafactory-sharegpt":
        record = {
            "conversations": [{"from": user, "value": pair.prompt}],
            "chosen": {"from": assistant, "value": pair.chosen},
            "rejected": {"from": assistant, "value": pair.rejected},
        }
    else:
        raise InputError(f"preference formats are {', '.join(PREFERENCE_FORMATS)}, not {format!r}")
    if system_column:
        record["system"] = prompt
    return record


def needs_system_column(pairs: Sequence[PreferencePair], system: str | None) -> bool:
    """Whether a LLaMA-Factory file needs its system column: some pair has a system prompt."""
    return bool(system) or any(pair.system for pair in pairs)


def write_preferences(
    pairs: Sequence[PreferencePair],
    format: PreferenceFormat,
    out: IO[str],
    *,
    system: str | None = None,
) -> int:
    """Write the pairs to a text stream as JSON Lines; returns how many were written."""
    column = format in LLAMAFACTORY_FORMATS and needs_system_column(pairs, system)
    for pair in pairs:
        record = preference_record(pair, format, system=system, system_column=column)
        out.write(_ENCODER.encode(record) + "\n")
    return len(pairs)


def preference_dataset_info(
    format: PreferenceFormat, file_name: str, dataset_name: str, *, system_column: bool = False
) -> dict[str, Any]:
    """`{dataset_name: entry}` for LLaMA-Factory's `dataset_info.json`: a ranking dataset
    (`"ranking": true`) whose columns name the file's."""
    if not dataset_name.strip():
        raise InputError("a LLaMA-Factory dataset needs a name")
    system = {"system": "system"} if system_column else {}
    if format == "llamafactory":
        entry: dict[str, Any] = {
            "file_name": file_name,
            "ranking": True,
            "columns": {
                "prompt": "instruction",
                "query": "input",
                "chosen": "chosen",
                "rejected": "rejected",
            }
            | system,
        }
    elif format == "llamafactory-sharegpt":
        entry = {
            "file_name": file_name,
            "formatting": "sharegpt",
            "ranking": True,
            "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}
            | system,
            "tags": dict(SHAREGPT_TAGS),
        }
    else:
        raise InputError(f"LLaMA-Factory reads llamafactory exports, not {format}")
    return {dataset_name: entry}

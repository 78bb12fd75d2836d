"""Seed tasks for Self-Instruct: typed in (one instruction per line, or a list) or read from a
file (JSONL, JSON, CSV or plain text), each an instruction with an optional input and output.

Files are parsed from their bytes here; whoever reads them from disk decides which paths may
be read (the CLI reads the user's own files; the REST API takes seeds inline only).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.errors import InputError

MAX_SEEDS = 10_000
MAX_FILE_BYTES = 16 * 2**20
INSTRUCTION_CHARS = 4000
TEXT_CHARS = 20_000
SUFFIXES = (".jsonl", ".json", ".csv", ".txt")


class SeedTask(BaseModel):
    """One task a person wrote: what to do, optionally an input and the expected output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruction: str = Field(min_length=1, max_length=INSTRUCTION_CHARS)
    input: str = Field(default="", max_length=TEXT_CHARS)
    output: str = Field(default="", max_length=TEXT_CHARS)


def seed_values(value: Any) -> Any:
    """Seeds as given to a stage's options, made into a list of task objects: a text is one
    instruction per line; a line or list item holding a JSON object ({"instruction", ...})
    is that task. Anything else is left for validation to refuse."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        return value
    found: list[Any] = []
    for item in value:
        if isinstance(item, str):
            text = item.strip()
            if not text:
                continue
            found.append(_json_task(text) or {"instruction": text})
        else:
            found.append(item)
    return found


def _json_task(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return _task(data) if isinstance(data, dict) and "instruction" in data else None


def _task(row: dict[str, Any]) -> dict[str, Any]:
    """A task from one record: flat (instruction, input, output) or the Self-Instruct
    paper's seed file (instruction, instances: [{input, output}], the first instance)."""
    instances = row.get("instances")
    first = instances[0] if isinstance(instances, list) and instances else {}
    first = first if isinstance(first, dict) else {}
    return {
        "instruction": _text(row.get("instruction")),
        "input": _text(row.get("input", first.get("input"))),
        "output": _text(row.get("output", first.get("output"))),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_seed_file(name: str, data: bytes) -> list[SeedTask]:
    """The seed tasks of a file; InputError says what is wrong with a bad one."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: a seed task file is one of {', '.join(SUFFIXES)}")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        rows = _rows(suffix, text)
    except (json.JSONDecodeError, csv.Error) as exc:
        raise InputError(f"{name}: not valid {suffix[1:].upper()}: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply to read") from None
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    tasks: list[SeedTask] = []
    for number, row in enumerate(rows, 1):
        if not row.get("instruction"):
            raise InputError(f"{name}: record {number} has no instruction")
        try:
            tasks.append(SeedTask.model_validate(row))
        except ValueError as exc:
            reason = str(exc).splitlines()[-1].strip() if str(exc) else "invalid"
            raise InputError(f"{name}: record {number}: {reason}") from None
    if not tasks:
        raise InputError(f"{name}: no seed tasks found")
    if len(tasks) > MAX_SEEDS:
        raise InputError(f"{name}: more than {MAX_SEEDS} seed tasks")
    return tasks


def _rows(suffix: str, text: str) -> list[dict[str, Any]]:
    if suffix == ".txt":
        return [{"instruction": line.strip()} for line in text.splitlines() if line.strip()]
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        fields = [name.strip().lower() for name in reader.fieldnames or []]
        if "instruction" not in fields:
            raise InputError("a seed task CSV needs a header with an 'instruction' column")
        return [
            _task({key.strip().lower(): value for key, value in row.items() if key})
            for row in reader
        ]
    if suffix == ".json":
        data = json.loads(text)
        records = data if isinstance(data, list) else [data]
    else:
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    rows = []
    for number, record in enumerate(records, 1):
        if isinstance(record, str):
            rows.append({"instruction": record.strip()})
        elif isinstance(record, dict):
            rows.append(_task(record))
        else:
            raise InputError(f"record {number} is neither an object nor a string")
    return rows

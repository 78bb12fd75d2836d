"""Evaluation items as files: benchmark rows read from JSON Lines or CSV, and a set written
back in the same columns, so that an export imports again unchanged.

Columns (MMLU style): `question`; the options as letter columns `A`, `B`, `C`, ... (as
many as needed, up to ten) or as a list `choices`; `answer` as the correct letters ("B",
"AC", "A,C"), as a 0-based index into the options (an integer or a list of them), or for
items without options "true"/"false" or a reference text. Optional: `kind` (else:
options with one correct letter are single choice, with more multiple choice; a
true/false answer without options is true/false; another text is a short answer when it
is at most SHORT_WORDS words, else open) and `tag_path` (a list, or a text with " > "
between the levels). Nothing here touches the database; every row is checked by
`check_item` and a bad one is reported with its line number and what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.evaluate.kinds import (
    EVAL_KINDS,
    LETTERS,
    check_item,
    letters_for,
    normal_letters,
)

SUFFIXES = (".jsonl", ".csv")
MAX_ROWS = 100_000
MAX_TEXT = 20_000
SHORT_WORDS = 10
TAG_SEPARATOR = " > "
ERRORS_SHOWN = 20


@dataclass(frozen=True)
class ItemRow:
    """One item read from a file, in its stored form, with the line it started on."""

    line: int
    kind: str
    question: str
    answer: str
    options: list[str] = field(default_factory=list)
    tag_path: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def describe(bad: Sequence[BadLine]) -> str:
    """The first bad lines, one per line, and how many more there are."""
    shown = "\n".join(str(entry) for entry in bad[:ERRORS_SHOWN])
    more = len(bad) - ERRORS_SHOWN
    return shown + (f"\n... and {more} more bad lines" if more > 0 else "")


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a text")
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{name} is longer than {MAX_TEXT} characters")
    return value.strip()


def _options(row: dict[str, Any]) -> list[str]:
    choices = row.get("choices")
    if isinstance(choices, str) and choices.strip().startswith("["):
        try:
            choices = json.loads(choices)
        except json.JSONDecodeError:
            raise ValueError("choices is not a JSON list") from None
    if choices not in (None, "", []):
        if not isinstance(choices, list):
            raise ValueError("choices must be a list of texts")
        return [_text(choice, "a choice") for choice in choices]
    options: list[str] = []
    for letter in LETTERS:
        value = row.get(letter.lower())
        if value is None or (isinstance(value, str) and not value.strip()):
            break
        options.append(_text(value, f"option {letter}"))
    return options


def _index(value: Any, count: int) -> str:
    if isinstance(value, str):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ValueError(f"an answer index is from 0 to {count - 1}, not {value!r}")
    return LETTERS[value]


def _choice_answer(value: Any, count: int) -> str:
    """The correct letters of a choice row: letters, a 0-based index or a list of either."""
    if isinstance(value, list):
        return "".join(_choice_answer(part, count) for part in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _index(value, count)
    text = _text(value, "answer")
    if text.isdigit():
        return _index(text, count)
    stray = [ch for ch in text.upper() if ch.isalnum() and ch not in letters_for(count)]
    if stray:
        raise ValueError(
            f"the answer names options by letter ({letters_for(count)}) or 0-based index, "
            f"not {text!r}"
        )
    return text.upper()


def _plain_answer(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value, "answer")


def _tags(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(TAG_SEPARATOR.strip()) if part.strip()]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return [part.strip() for part in value if part.strip()]
    raise ValueError("tag_path is a list of texts or a text with ' > ' between levels")


def read_row(line: int, raw: dict[str, Any]) -> ItemRow:
    """One row as an item; ValueError saying what is wrong."""
    row = {str(key).strip().lower(): value for key, value in raw.items() if key is not None}
    if "question" not in row:
        raise ValueError("no 'question'")
    if "answer" not in row:
        raise ValueError("no 'answer'")
    question = _text(row["question"], "question")
    options = _options(row)
    kind = _text(row.get("kind") or "", "kind").lower()
    if kind and kind not in EVAL_KINDS:
        raise ValueError(f"the kind is one of {', '.join(EVAL_KINDS)}, not {kind!r}")
    if options or kind in ("single_choice", "multiple_choice"):
        answer = _choice_answer(row["answer"], len(options))
        if not kind:
            kind = "single_choice" if len(normal_letters(answer)) == 1 else "multiple_choice"
    else:
        answer = _plain_answer(row["answer"])
        if not kind:
            if answer.lower() in ("true", "false"):
                kind = "true_false"
            else:
                kind = "short_answer" if len(answer.split()) <= SHORT_WORDS else "open"
    if not question:
        raise ValueError("the question is empty")
    stored = check_item(kind, options, answer)
    return ItemRow(line, kind, question, stored, options, _tags(row.get("tag_path")))


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        yield number, value if isinstance(value, dict) else "not a JSON object"


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    names = [name.strip().lower() for name in header]
    if "question" not in names or "answer" not in names:
        yield 1, "the header must name a 'question' and an 'answer' column"
        return
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, f"not valid CSV ({exc})"
            return
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(names):
            yield start, f"{len(values)} values for {len(names)} columns"
            continue
        yield start, dict(zip(names, values, strict=False))


def read_items(name: str, data: bytes, max_bytes: int) -> tuple[list[ItemRow], list[BadLine]]:
    """The items of a benchmark file and its bad lines; InputError for a file that cannot
    be read at all (wrong type, too large, not UTF-8, no rows)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: an evaluation file is one of {', '.join(SUFFIXES)}")
    if len(data) > max_bytes:
        raise InputError(f"{name}: larger than {max_bytes // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    rows = _jsonl_rows(text) if suffix == ".jsonl" else _csv_rows(text)
    good: list[ItemRow] = []
    bad: list[BadLine] = []
    for count, (line, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise InputError(f"{name}: more than {MAX_ROWS} rows; split the file")
        if isinstance(row, str):
            bad.append(BadLine(line, row))
            continue
        try:
            good.append(read_row(line, row))
        except ValueError as exc:
            bad.append(BadLine(line, str(exc)))
    if not good and not bad:
        raise InputError(f"{name}: no rows found")
    return good, bad


@dataclass(frozen=True)
class ItemOut:
    """What a file keeps of an item."""

    kind: str
    question: str
    options: list[str]
    answer: str
    tag_path: list[str]


def jsonl_lines(items: Sequence[ItemOut]) -> Iterator[str]:
    for item in items:
        record = {
            "kind": item.kind,
            "question": item.question,
            "choices": item.options,
            "answer": item.answer,
            "tag_path": item.tag_path,
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"


def csv_text(items: Sequence[ItemOut]) -> str:
    """The items as CSV: kind, question, one column per option letter, answer, tag_path."""
    width = max((len(item.options) for item in items), default=0)
    letters = list(letters_for(max(width, 4)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "question", *letters, "answer", "tag_path"])
    for item in items:
        options = item.options + [""] * (len(letters) - len(item.options))
        writer.writerow(
            [item.kind, item.question, *options, item.answer, TAG_SEPARATOR.join(item.tag_path)]
        )
    return out.getvalue()

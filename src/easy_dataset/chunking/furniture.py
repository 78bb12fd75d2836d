"""Page furniture inside a chunk, and the clean-up that needs no model.

A chunk cut from a PDF or a scan still carries what the page around the text put there:
page numbers, running headers and footers, stray symbols, words hyphenated at a line end.
`furniture_lines` says which of a chunk's lines may go (the only lines a cleaned chunk may
lose); `running_lines` finds the short lines that recur across a file's chunks (running
heads); `prepass` does what is safe without a model: a word broken by a hyphen at a line
end is joined, and a line that is only a page number, standing alone, is dropped.

Lines of fenced code and table rows are never furniture and never touched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from easy_dataset.ingest.page_furniture import line_key, page_number, plain

# A short line that recurs in this many chunks of one file is a running head or foot...
MIN_CHUNKS = 3
# ...and it must be short: a sentence that happens to recur is content.
MAX_RUNNING_WORDS = 12
MAX_RUNNING_CHARS = 100

_FENCE = re.compile(r"^\s*(```|~~~)")
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)\]]*\s*$")
# A word fragment before a hyphen at the end of a line, and the lower-case rest of it (with
# the punctuation that sticks to it) at the start of the next.
_BROKEN_HEAD = re.compile(r"([^\W\d_]+)-[ \t]*$")
_BROKEN_TAIL = re.compile(r"^[ \t]*([^\W\d_]+)(\S*)")


def code_lines(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is a code fence or inside fenced code."""
    flags: list[bool] = []
    inside = False
    for line in lines:
        fence = bool(_FENCE.match(line))
        flags.append(inside or fence)
        if fence:
            inside = not inside
    return flags


def is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def is_page_number(line: str) -> bool:
    """A line that is only a page number: "7", "- 7 -", "Page 7 of 9", "第 7 页"."""
    return page_number(line) is not None


def is_noise(line: str) -> bool:
    """A line of stray symbols (OCR specks, ornaments): no word of three letters, and
    fewer letters and digits than other marks."""
    text = line.strip()
    if not text or is_table_row(text):
        return False
    visible = [char for char in text if not char.isspace()]
    alnum = sum(char.isalnum() for char in visible)
    return not _THREE_LETTERS.search(text) and alnum * 2 < len(visible)


def _short(line: str) -> bool:
    text = plain(line)
    return bool(text) and len(text) <= MAX_RUNNING_CHARS and len(text.split()) <= MAX_RUNNING_WORDS


def _candidates(lines: Sequence[str]) -> list[str | None]:
    """Each line's running-line key, or None for a line that cannot be a running line."""
    code = code_lines(lines)
    return [
        line_key(line) if not in_code and not is_table_row(line) and _short(line) else None
        for line, in_code in zip(lines, code, strict=True)
    ]


def running_lines(contents: Iterable[str], min_chunks: int = MIN_CHUNKS) -> frozenset[str]:
    """Keys (`line_key`) of the short lines found in at least `min_chunks` of the texts."""
    counts: Counter[str] = Counter()
    for content in contents:
        counts.update({key for key in _candidates(content.split("\n")) if key})
    return frozenset(key for key, count in counts.items() if count >= min_chunks)


def furniture_lines(text: str, running: Collection[str] = ()) -> list[bool]:
    """For each line of `text` (split at "\\n"), whether it may be removed as furniture: a
    page number, symbol noise, one of the file's `running` lines, or a short line that
    recurs in the text and does not end as a sentence does (a sentence said twice is
    still content)."""
    lines = text.split("\n")
    keys = _candidates(lines)
    counts = Counter(key for key in keys if key)
    code = code_lines(lines)
    flags: list[bool] = []
    for line, key, in_code in zip(lines, keys, code, strict=True):
        if in_code or not line.strip() or is_table_row(line):
            flags.append(False)
        elif is_page_number(line) or is_noise(line):
            flags.append(True)
        elif key is None:
            flags.append(False)
        else:
            repeated = counts[key] >= 2 and not _SENTENCE_END.search(line)
            flags.append(repeated or key in running)
    return flags


def running_in(text: str, running: Collection[str]) -> list[str]:
    """The lines of `text` that are running lines of its file, once each, in order."""
    found: dict[str, None] = {}
    for line, key in zip(text.split("\n"), _candidates(text.split("\n")), strict=True):
        if key is not None and key in running:
            found.setdefault(line.strip(), None)
    return list(found)


@dataclass(frozen=True)
class Prepass:
    """A chunk after the clean-up that needs no model, and what it did."""

    text: str
    hyphen_joins: int = 0
    page_numbers: int = 0

    def counts(self) -> dict[str, int]:
        return {"hyphen_joins": self.hyphen_joins, "page_numbers": self.page_numbers}


def prepass(text: str) -> Prepass:
    """Join words hyphenated at a line end and drop lone page-number lines."""
    lines, dropped = _drop_page_numbers(text.split("\n"))
    lines, joins = _join_hyphenation(lines, text)
    return Prepass("\n".join(lines), hyphen_joins=joins, page_numbers=dropped)


def _drop_page_numbers(lines: list[str]) -> tuple[list[str], int]:
    """Lines without those that are only an Arabic page number between blank lines (or the
    text's edges); the blank line left doubled by one is dropped with it."""
    code = code_lines(lines)
    kept: list[str] = []
    dropped = 0
    after_drop = False
    for index, line in enumerate(lines):
        blank = not line.strip()
        if blank and after_drop and (not kept or not kept[-1].strip()):
            after_drop = False
            continue
        after_drop = False
        alone = (index == 0 or not lines[index - 1].strip()) and (
            index == len(lines) - 1 or not lines[index + 1].strip()
        )
        if (
            alone
            and not code[index]
            and is_page_number(line)
            and any(char.isdigit() for char in line)
        ):
            dropped += 1
            after_drop = True
            continue
        kept.append(line)
    return kept, dropped


def _join_hyphenation(lines: list[str], source: str) -> tuple[list[str], int]:
    """Words split by a hyphen at a line end joined on the first line ("exam-" + "ple" ->
    "example"); the hyphen stays where the text spells the word with one elsewhere and
    never without ("well-" + "known" -> "well-known")."""
    lines = list(lines)
    code = code_lines(lines)
    lowered = source.lower()
    joins = 0
    index = 0
    while index < len(lines) - 1:
        line, following = lines[index], lines[index + 1]
        head = _BROKEN_HEAD.search(line)
        tail = _BROKEN_TAIL.match(following)
        usable = not (
            code[index] or code[index + 1] or is_table_row(line) or is_table_row(following)
        )
        if (
            not usable
            or head is None
            or tail is None
            or not tail.group(1)[0].islower()
            or tail.group(2).endswith("-")
        ):
            index += 1
            continue
        first, rest = head.group(1), tail.group(1)
        word = first + rest
        hyphenated = f"{first}-{rest}"
        if _spelled(lowered, hyphenated.lower()) and not _spelled(lowered, word.lower()):
            word = hyphenated
        lines[index] = line[: head.start()] + word + tail.group(2)
        remainder = following[tail.end() :].lstrip()
        if remainder:
            lines[index + 1] = remainder
        else:
            del lines[index + 1]
            del code[index + 1]
        joins += 1
    return lines, joins


def _spelled(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` as a whole word."""
    return re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text) is not None

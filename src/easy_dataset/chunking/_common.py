"""Offset helpers shared by the chunking strategies."""

from __future__ import annotations

import re
from collections.abc import Iterable

from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft

Span = tuple[int, int]

NON_SPACE = re.compile(r"\S")


def trim(text: str, start: int, end: int) -> Span:
    """Narrow [start, end) past surrounding whitespace; an empty span when it is all blank."""
    found = NON_SPACE.search(text, start, end)
    if found is None:
        return end, end
    start = found.start()
    # The loop stops at the non-space just found, so it only walks the trailing blanks.
    while text[end - 1].isspace():
        end -= 1
    return start, end


def make_drafts(text: str, spans: Iterable[Span], index: HeadingIndex | None) -> list[ChunkDraft]:
    """One draft per non-empty span, tagged with the heading path in force at its start."""
    drafts: list[ChunkDraft] = []
    for start, end in spans:
        if end > start:
            path = index.path_at(start) if index is not None else ()
            drafts.append(ChunkDraft(text[start:end], path, start, end))
    return drafts

"""Split at every occurrence of a delimiter string."""

from __future__ import annotations

from easy_dataset.chunking._common import Span, make_drafts, trim
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings


def delimiter_spans(text: str, delimiter: str) -> list[Span]:
    """Trimmed, non-blank spans between occurrences of `delimiter` (which is left out)."""
    if not delimiter:
        raise ValueError("the delimiter must not be empty")
    spans: list[Span] = []
    pos = 0
    while True:
        found = text.find(delimiter, pos)
        start, end = trim(text, pos, len(text) if found < 0 else found)
        if end > start:
            spans.append((start, end))
        if found < 0:
            return spans
        pos = found + len(delimiter)


def chunk_delimiter(text: str, settings: ChunkSettings, index: HeadingIndex) -> list[ChunkDraft]:
    """One chunk per delimited piece."""
    return make_drafts(text, delimiter_spans(text, settings.delimiter), index)

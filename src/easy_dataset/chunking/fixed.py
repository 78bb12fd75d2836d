"""Fixed-size windows with exact overlap."""

from __future__ import annotations

from easy_dataset.chunking._common import NON_SPACE, Span, make_drafts
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings


def window_spans(length: int, size: int, overlap: int) -> list[Span]:
    """Windows [i*(size-overlap), i*(size-overlap)+size), stopping at the one reaching the end."""
    step = size - overlap
    spans: list[Span] = []
    start = 0
    while start < length:
        end = min(start + size, length)
        spans.append((start, end))
        if end == length:
            break
        start += step
    return spans


def chunk_fixed(text: str, settings: ChunkSettings, index: HeadingIndex) -> list[ChunkDraft]:
    """Raw windows, untrimmed so that the overlap is exact; all-blank windows are dropped."""
    spans = [
        (start, end)
        for start, end in window_spans(len(text), settings.size, settings.overlap)
        if NON_SPACE.search(text, start, end) is not None
    ]
    return make_drafts(text, spans, index)

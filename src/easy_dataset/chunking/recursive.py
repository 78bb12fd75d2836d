"""Recursive character splitting: cut at the coarsest separator present, then merge."""

from __future__ import annotations

import re
from collections.abc import Sequence

from easy_dataset.chunking._common import Span, make_drafts, trim
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings

DEFAULT_SEPARATORS = [
    "\n\n",
    "\n",
    "。",
    "！",
    "？",
    ". ",
    "! ",
    "? ",
    "；",
    "; ",
    "，",
    ", ",
    " ",
    "",
]

# A level is a pattern matching separator text, or None for a plain cut every `size` characters.
Level = re.Pattern[str] | None


def literal_levels(separators: Sequence[str]) -> list[Level]:
    """Levels for plain separator strings; the empty string means a hard cut."""
    return [re.compile(re.escape(separator)) if separator else None for separator in separators]


def split_pieces(
    text: str,
    start: int,
    end: int,
    levels: Sequence[Level],
    size: int,
    *,
    keep_at_start: bool = False,
    sticky: re.Pattern[str] | None = None,
) -> list[Span]:
    """Contiguous pieces covering [start, end), each at most `size` characters."""
    # Separators stay in the text (ending the piece before them, or with keep_at_start
    # opening the piece after them) so that offsets stay real. A cut moves up above lines
    # matching `sticky` (decorators, doc comments) to keep them with their definition.
    pieces: list[Span] = []
    _split(text, start, end, levels, 0, size, keep_at_start, sticky, pieces)
    return pieces


def _split(
    text: str,
    start: int,
    end: int,
    levels: Sequence[Level],
    level: int,
    size: int,
    keep_at_start: bool,
    sticky: re.Pattern[str] | None,
    out: list[Span],
) -> None:
    if end - start <= size:
        out.append((start, end))
        return
    pattern: Level = None
    while level < len(levels):
        pattern = levels[level]
        if pattern is None or pattern.search(text, start, end) is not None:
            break
        level += 1
    if pattern is None:
        out.extend((at, min(at + size, end)) for at in range(start, end, size))
        return
    previous = start
    for match in pattern.finditer(text, start, end):
        cut = match.start() if keep_at_start else match.end()
        if sticky is not None:
            cut = _above_sticky(text, previous, cut, sticky)
        if cut <= previous or cut >= end:
            continue
        _split(text, previous, cut, levels, level + 1, size, keep_at_start, sticky, out)
        previous = cut
    _split(text, previous, end, levels, level + 1, size, keep_at_start, sticky, out)


def _above_sticky(text: str, floor: int, cut: int, sticky: re.Pattern[str]) -> int:
    """Move a cut (at a newline) above the sticky lines right before it, not past `floor`."""
    while cut > floor:
        newline = text.rfind("\n", floor, cut)
        line_start = newline + 1 if newline >= 0 else floor
        if newline < 0 or sticky.match(text, line_start, cut) is None:
            return cut
        cut = newline
    return cut


def merge_pieces(
    text: str, pieces: Sequence[Span], size: int, overlap: int, *, by_lines: bool = False
) -> list[Span]:
    """Join neighbouring contiguous pieces into spans of at most `size`, sharing up to `overlap`."""
    # The shared text starts at a word break (a line break with by_lines) within the last
    # `overlap` characters rather than at a piece boundary, so overlap exists even when the
    # pieces themselves are bigger than it.
    spans: list[Span] = []
    if not pieces:
        return spans
    chunk_start, chunk_end = pieces[0][0], pieces[0][0]
    for piece_start, piece_end in pieces:
        if piece_end - chunk_start > size and chunk_end > chunk_start:
            spans.append((chunk_start, chunk_end))
            chunk_start = piece_start
            if overlap:
                floor = max(chunk_end - overlap, piece_end - size, 1)
                chunk_start = _shared_start(text, floor, chunk_end, by_lines)
        chunk_end = piece_end
    if chunk_end > chunk_start:
        spans.append((chunk_start, chunk_end))
    return spans


_BREAK = re.compile(r"[\s。！？；，、]")


def _shared_start(text: str, floor: int, end: int, by_lines: bool) -> int:
    """Where the overlap taken from [floor, end) begins; `end` when nothing can be shared."""
    last = end
    # Trailing blanks (often the separator) are no content worth repeating.
    while last > floor and text[last - 1].isspace():
        last -= 1
    if last <= floor:
        return end
    if by_lines:
        newline = text.find("\n", floor - 1, last)
        if newline >= 0:
            return newline + 1
    if _BREAK.match(text, floor - 1) is not None:
        return floor
    found = _BREAK.search(text, floor, last)
    return floor if found is None else found.end()


def trimmed(text: str, spans: Sequence[Span]) -> list[Span]:
    """The spans without surrounding whitespace, blank ones and repeats dropped."""
    out: list[Span] = []
    for start, end in spans:
        start, end = trim(text, start, end)
        if end == start:
            continue
        # Trimming can make an overlapping neighbour equal, or nested, at one end: keep the
        # larger of the two so starts and ends stay strictly increasing.
        if out and end <= out[-1][1]:
            continue
        if out and start <= out[-1][0]:
            out[-1] = (start, end)
        else:
            out.append((start, end))
    return out


def chunk_recursive(text: str, settings: ChunkSettings, index: HeadingIndex) -> list[ChunkDraft]:
    """Classic recursive splitting with real offsets and overlap between neighbours."""
    separators = settings.separators if settings.separators is not None else DEFAULT_SEPARATORS
    pieces = split_pieces(text, 0, len(text), literal_levels(separators), settings.size)
    spans = merge_pieces(text, pieces, settings.size, settings.overlap)
    return make_drafts(text, trimmed(text, spans), index)

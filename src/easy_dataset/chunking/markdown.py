"""Markdown-aware chunking: sections at headings, atomic blocks, sentence fallback."""

from __future__ import annotations

import math
import re
from bisect import bisect_right

from easy_dataset.chunking._common import NON_SPACE, Span, make_drafts, trim
from easy_dataset.chunking.sentences import sentence_spans
from easy_dataset.markdown_headings import HeadingIndex, find_headings
from easy_dataset.types import ChunkDraft, ChunkSettings

# Openers of blocks that may hold blank lines: code fences and display math.
_OPENER = re.compile(r"^(?: {0,3}(`{3,}|~{3,})|[^\S\n]*(\$\$|\\\[))", re.MULTILINE)
# Same fence rule as markdown_headings, so our blocks agree with its sections.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")
_TABLE_RUN = re.compile(r"^[^\S\n]{0,3}\|[^\n]*(?:\n[^\S\n]{0,3}\|[^\n]*)*", re.MULTILINE)


def chunk_markdown(text: str, settings: ChunkSettings) -> list[ChunkDraft]:
    """Split Markdown into section-aligned chunks of at most `max_chars` characters."""
    headings = find_headings(text)
    chunker = _Chunker(text, [heading.start for heading in headings], settings)
    return make_drafts(text, chunker.run(), HeadingIndex(headings))


def _scan_atomic(text: str, start: int, end: int) -> list[Span]:
    """Ranges of fenced code and display math in [start, end), which must not be cut."""
    ranges: list[Span] = []
    pos = start
    while True:
        opener = _OPENER.search(text, pos, end)
        if opener is None:
            return ranges
        line_end = text.find("\n", opener.end(), end)
        if line_end < 0:
            line_end = end
        fence = opener.group(1)
        if fence:
            close_end = end
            for close in _FENCE.finditer(text, line_end, end):
                mark = close.group(1)
                if mark[0] == fence[0] and len(mark) >= len(fence):
                    found = text.find("\n", close.end(), end)
                    close_end = end if found < 0 else found
                    break
        else:
            closer = "$$" if opener.group(2) == "$$" else "\\]"
            at = -1
            # Math opened and closed on one line is just a line; no closer means no block.
            if text.find(closer, opener.end(), line_end) < 0:
                at = text.find(closer, line_end, end)
            if at < 0:
                pos = line_end
                continue
            found = text.find("\n", at, end)
            close_end = end if found < 0 else found
        ranges.append((opener.start(), close_end))
        pos = close_end


def _blocks(text: str, start: int, end: int, atomic: list[Span]) -> list[Span]:
    """Trimmed paragraphs of [start, end): line runs between blank lines outside atomic ranges."""
    blocks: list[Span] = []
    current = start
    index = 0
    count = len(atomic)
    for blank in _BLANK_RUN.finditer(text, start, end):
        at = blank.start()
        while index < count and atomic[index][1] <= at:
            index += 1
        if index < count and atomic[index][0] <= at:
            continue
        block = trim(text, current, at)
        if block[1] > block[0]:
            blocks.append(block)
        current = blank.end()
    block = trim(text, current, end)
    if block[1] > block[0]:
        blocks.append(block)
    return blocks


def _pack(starts: list[int], ends: list[int], glue: list[bool], low: int, high: int) -> list[Span]:
    """Greedily pack units into pieces of at most `high`, balancing sizes and keeping glue."""
    count = len(starts)
    pieces: list[Span] = []
    if not count:
        return pieces
    last_end = ends[-1]
    piece_start = -1
    piece_end = -1
    i = 0
    while i < count:
        # A heading travels with the unit after it, so measure them together.
        j = i
        while glue[j] and j + 1 < count:
            j += 1
        if piece_start < 0:
            while j > i and ends[j] - starts[i] > high:
                j -= 1
            piece_start, piece_end = starts[i], ends[j]
            i = j + 1
            continue
        grown = ends[j] - piece_start
        if grown > high:
            pieces.append((piece_start, piece_end))
            piece_start = -1
            continue
        size = piece_end - piece_start
        if size >= low:
            # Aim at equal pieces for what is left, cutting where we land nearest that size.
            remaining = last_end - piece_start
            target = remaining / math.ceil(remaining / high)
            if grown > target and grown - target > target - size:
                pieces.append((piece_start, piece_end))
                piece_start = -1
                continue
        piece_end = ends[j]
        i = j + 1
    if piece_start >= 0:
        pieces.append((piece_start, piece_end))
    return pieces


class _Chunker:
    """Walks the sections of one document, merging small ones and splitting large ones."""

    def __init__(self, text: str, heading_starts: list[int], settings: ChunkSettings) -> None:
        self.text = text
        self.low = settings.min_chars
        self.high = settings.max_chars
        bounds = list(heading_starts)
        has_heading = [True] * len(bounds)
        if not bounds or bounds[0] > 0:
            bounds.insert(0, 0)
            has_heading.insert(0, False)
        bounds.append(len(text))
        # Raw section bounds (line starts) for scanning, trimmed ones for measuring.
        self.raw_start: list[int] = []
        self.raw_end: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.has_heading: list[bool] = []
        self.heading_only: list[bool] = []
        search = NON_SPACE.search
        for k in range(len(bounds) - 1):
            start = raw_start = bounds[k]
            end = raw_end = bounds[k + 1]
            # Inline trim: this loop runs once per heading, the hottest path for large files.
            if text[start].isspace():
                found = search(text, start, end)
                if found is None:
                    continue
                start = found.start()
            while text[end - 1].isspace():
                end -= 1
            self.raw_start.append(raw_start)
            self.raw_end.append(raw_end)
            self.start.append(start)
            self.end.append(end)
            self.has_heading.append(has_heading[k])
            self.heading_only.append(has_heading[k] and text.find("\n", start, end) < 0)
        self.unit_starts: list[int] = []
        self.unit_ends: list[int] = []
        self.unit_glue: list[bool] = []
        self.chain_start = -1

    def run(self) -> list[Span]:
        """Chunk spans for the whole document, in order."""
        low, high = self.low, self.high
        starts, ends, heading_only = self.start, self.end, self.heading_only
        out: list[Span] = []
        # The pending chunk: sections (or the tail piece of a split one) waiting to grow.
        p_start = -1
        p_end = 0
        p_first = 0
        p_whole = True
        p_tail = -1  # first of the heading-only sections it ends with, or -1
        for k in range(len(starts)):
            start, end = starts[k], ends[k]
            carry = -1
            if p_start >= 0:
                if p_end - p_start < low and end - p_start <= high:
                    p_end = end
                    if not heading_only[k]:
                        p_tail = -1
                    elif p_tail < 0:
                        p_tail = k
                    continue
                if p_tail >= 0:
                    # Bare headings go forward with the section they introduce.
                    if p_whole and p_tail == p_first:
                        carry = p_first
                    else:
                        out.append((p_start, ends[p_tail - 1]))
                        carry = p_tail
                elif p_whole and p_end - p_start < low and end - start > high:
                    carry = p_first
                else:
                    out.append((p_start, p_end))
                p_start = -1
            first = k if carry < 0 else carry
            if end - starts[first] <= high:
                p_start, p_end, p_first, p_whole = starts[first], end, first, True
                p_tail = first if heading_only[k] else -1
                continue
            pieces = self._split_sections(first, k)
            out.extend(pieces[:-1])
            last_start, last_end = pieces[-1]
            if last_end - last_start < low:
                p_start, p_end, p_first, p_whole, p_tail = last_start, last_end, k, False, -1
            else:
                out.append(pieces[-1])
        if p_start >= 0:
            out.append((p_start, p_end))
        return out

    def _split_sections(self, first: int, last: int) -> list[Span]:
        """Pieces of at most max_chars covering sections first..last, cut between blocks."""
        text, high = self.text, self.high
        self.unit_starts, self.unit_ends, self.unit_glue = [], [], []
        self.chain_start = -1
        for k in range(first, last + 1):
            body_start = self.raw_start[k]
            body_end = self.raw_end[k]
            if self.has_heading[k]:
                line_end = text.find("\n", self.start[k], body_end)
                if line_end < 0:
                    line_end = body_end
                head_start, head_end = trim(text, self.start[k], line_end)
                if head_end - head_start > high:
                    self._cut_long(head_start, head_end)
                else:
                    self._add(head_start, head_end, True)
                body_start = line_end
            atomic = _scan_atomic(text, body_start, body_end)
            for block_start, block_end in _blocks(text, body_start, body_end, atomic):
                chain = self.chain_start
                forced = chain >= 0 and block_end - chain > high
                if forced or block_end - block_start > high:
                    self._expand(block_start, block_end, atomic, forced)
                else:
                    self._add(block_start, block_end, False)
        return _pack(self.unit_starts, self.unit_ends, self.unit_glue, self.low, high)

    def _add(self, start: int, end: int, glue: bool) -> None:
        self.unit_starts.append(start)
        self.unit_ends.append(end)
        self.unit_glue.append(glue)
        if not glue:
            self.chain_start = -1
        elif self.chain_start < 0:
            self.chain_start = start

    def _expand(self, start: int, end: int, atomic: list[Span], forced: bool) -> None:
        """Units for a block too big to keep whole: its atomic parts, tables and sentences."""
        text = self.text
        # Scan from the line start so that "^" patterns see the block's first line.
        pos = text.rfind("\n", 0, start) + 1
        index = bisect_right(atomic, (start, len(text)))
        if index and atomic[index - 1][1] > start:
            index -= 1
        while index < len(atomic) and atomic[index][0] < end:
            atomic_start, atomic_end = atomic[index]
            if atomic_start > pos:
                self._plain(pos, atomic_start, forced)
            self._atomic(max(atomic_start, start), min(atomic_end, end))
            pos = atomic_end
            index += 1
        if pos < end:
            self._plain(pos, end, forced)

    def _atomic(self, start: int, end: int) -> None:
        start, end = trim(self.text, start, end)
        if end - start > self.high:
            self._lines(start, end)
        elif end > start:
            self._add(start, end, False)

    def _plain(self, start: int, end: int, forced: bool) -> None:
        """Units for text outside fences and math: tables whole, prose by sentences."""
        pos = start
        for table in _TABLE_RUN.finditer(self.text, start, end):
            if table.start() > pos:
                self._prose(pos, table.start(), forced)
            self._atomic(table.start(), table.end())
            pos = table.end()
        if pos < end:
            self._prose(pos, end, forced)

    def _prose(self, start: int, end: int, forced: bool) -> None:
        text, high = self.text, self.high
        start, end = trim(text, start, end)
        if end == start:
            return
        if end - start <= high and not forced:
            self._add(start, end, False)
            return
        for sentence_start, sentence_end in sentence_spans(text, start, end):
            sentence_start, sentence_end = trim(text, sentence_start, sentence_end)
            if sentence_end - sentence_start > high:
                self._cut_long(sentence_start, sentence_end)
            elif sentence_end > sentence_start:
                self._add(sentence_start, sentence_end, False)

    def _lines(self, start: int, end: int) -> None:
        """Balanced pieces of an atomic block too big to keep whole, cut only at line ends."""
        text, high = self.text, self.high
        while end - start > high:
            # Cut at the first line end past an even share of what is left, if one is in reach.
            target = start + int((end - start) / math.ceil((end - start) / high))
            cut = text.find("\n", target, start + high + 1)
            if cut < 0:
                cut = text.rfind("\n", start + 1, start + high + 1)
            if cut < 0:
                # One line longer than max_chars: the only case where a block is cut mid-line.
                line_end = text.find("\n", start, end)
                cut = end if line_end < 0 else line_end
                piece_start, piece_end = trim(text, start, cut)
                self._cut_long(piece_start, piece_end)
            else:
                piece_start, piece_end = trim(text, start, cut)
                self._add(piece_start, piece_end, False)
            found = NON_SPACE.search(text, cut, end)
            if found is None:
                return
            start = found.start()
        self._add(start, end, False)

    def _cut_long(self, start: int, end: int) -> None:
        """Cut a trimmed span into pieces of at most max_chars, at a newline or space if any."""
        text, high = self.text, self.high
        while end - start > high:
            limit = start + high
            cut = text.rfind("\n", start + 1, limit + 1)
            if cut <= start + high // 2:
                cut = max(cut, text.rfind(" ", start + 1, limit + 1))
            if cut <= start:
                cut = limit
            piece_start, piece_end = trim(text, start, cut)
            self._add(piece_start, piece_end, False)
            found = NON_SPACE.search(text, cut, end)
            assert found is not None  # end is trimmed, so a non-space lies before it
            start = found.start()
        self._add(start, end, False)

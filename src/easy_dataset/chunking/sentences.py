"""Sentence boundaries for Latin and CJK text, as offsets or as strings."""

from __future__ import annotations

import re

from easy_dataset.chunking._common import Span, trim

# Latin enders only count before whitespace (so "3.14" stays whole) and not after a few
# common abbreviations; CJK enders need no space. Closing quotes and brackets belong to the
# sentence they close.
_SENTENCE_END = re.compile(
    r"[.!?]+(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bProf\.)(?<!\bSt\.)"
    r"(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bcf\.)(?<!\bFig\.)[\"'”’)\]]*(?=\s)"
    r"|[。！？；…]+[」』”’\"'）》】〉]*"
    r"|\n(?:[^\S\n]*\n)+"
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Contiguous spans covering [start, end), each ending at a sentence boundary."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    previous = start
    for match in _SENTENCE_END.finditer(text, start, stop):
        cut = match.end()
        if cut > previous:
            spans.append((previous, cut))
            previous = cut
    if previous < stop:
        spans.append((previous, stop))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order; blank lines also end a sentence."""
    sentences: list[str] = []
    for start, end in sentence_spans(text):
        start, end = trim(text, start, end)
        if end > start:
            sentences.append(text[start:end])
    return sentences

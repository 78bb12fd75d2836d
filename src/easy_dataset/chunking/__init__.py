"""Split a document's Markdown into chunks with one of several strategies."""

from __future__ import annotations

from easy_dataset.chunking._common import NON_SPACE
from easy_dataset.chunking.code import chunk_code, detect_language
from easy_dataset.chunking.delimiter import chunk_delimiter
from easy_dataset.chunking.fixed import chunk_fixed
from easy_dataset.chunking.markdown import chunk_markdown
from easy_dataset.chunking.recursive import chunk_recursive
from easy_dataset.chunking.sentences import sentence_spans, split_sentences
from easy_dataset.chunking.tokens import chunk_tokens
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings

__all__ = ["detect_language", "sentence_spans", "split_sentences", "split_text"]


def split_text(text: str, settings: ChunkSettings) -> list[ChunkDraft]:
    """Chunks of `text` in document order, each with content == text[start:end]."""
    if NON_SPACE.search(text) is None:
        return []
    strategy = settings.strategy
    if strategy == "markdown":
        return chunk_markdown(text, settings)
    if strategy == "code":
        return chunk_code(text, settings)
    index = HeadingIndex.of(text)
    if strategy == "recursive":
        return chunk_recursive(text, settings, index)
    if strategy == "fixed":
        return chunk_fixed(text, settings, index)
    if strategy == "token":
        return chunk_tokens(text, settings, index)
    return chunk_delimiter(text, settings, index)

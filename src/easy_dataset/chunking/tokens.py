"""Token-counted chunks (cl100k_base via semantic-text-splitter, fully offline)."""

from __future__ import annotations

from functools import lru_cache

from semantic_text_splitter import TextSplitter

from easy_dataset.chunking._common import make_drafts
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings

# gpt-4 maps to cl100k_base; the vocabulary ships inside the wheel, so nothing is downloaded.
TOKENIZER_MODEL = "gpt-4"


@lru_cache(maxsize=16)
def token_splitter(size: int, overlap: int = 0) -> TextSplitter:
    """A cached splitter, since building one loads the whole BPE vocabulary."""
    return TextSplitter.from_tiktoken_model(TOKENIZER_MODEL, capacity=size, overlap=overlap)


def chunk_tokens(text: str, settings: ChunkSettings, index: HeadingIndex) -> list[ChunkDraft]:
    """Chunks of at most `size` tokens sharing up to `overlap` tokens with their neighbours."""
    splitter = token_splitter(settings.size, settings.overlap)
    # chunk_indices reports character (not byte) offsets, and chunks come back trimmed.
    spans = [(offset, offset + len(chunk)) for offset, chunk in splitter.chunk_indices(text)]
    return make_drafts(text, spans, index)

"""Property tests: every strategy returns real, ordered offsets on arbitrary Markdown-ish text."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from easy_dataset.chunking import split_sentences, split_text
from easy_dataset.types import ChunkDraft, ChunkSettings

_WORDS = st.sampled_from(
    ["alpha", "beta", "Gamma", "delta.", "end!", "why?", "数据", "模型。", "训练！", "x", "3.14"]
)
_PUNCTUATION = st.sampled_from([" ", " ", " ", "\n", ". ", "。", "；", "  ", "\t", "\r\n"])


@st.composite
def _line(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=12))
    joints = draw(st.lists(_PUNCTUATION, min_size=len(words), max_size=len(words)))
    return "".join(word + joint for word, joint in zip(words, joints, strict=True)).rstrip("\n")


_GAP = st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"])


@st.composite
def _block(draw: st.DrawFn) -> str:
    return draw(_block_body()) + draw(_GAP)


@st.composite
def _block_body(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["heading", "paragraph", "paragraph", "fence", "table", "math"]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 4)) + " " + draw(_line()).replace("\n", " ")
    if kind == "paragraph":
        return "\n".join(draw(st.lists(_line(), min_size=1, max_size=4)))
    if kind == "fence":
        marker = draw(st.sampled_from(["```", "~~~", "````"]))
        body = "\n".join(draw(st.lists(_line(), max_size=6)))
        closed = draw(st.booleans())
        return f"{marker}py\n{body}\n" + (marker if closed else "")
    if kind == "table":
        rows = draw(st.lists(_line(), min_size=1, max_size=6))
        return "\n".join("| " + row.replace("\n", " ") + " |" for row in rows)
    opener, closer = draw(st.sampled_from([("$$", "$$"), ("\\[", "\\]")]))
    return opener + "\n" + "\n\n".join(draw(st.lists(_line(), max_size=3))) + "\n" + closer


_DOCUMENT = st.lists(_block(), max_size=25).map("".join)

# No example database: it would leave a .hypothesis folder in the working tree.
_FAST = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check_drafts(text: str, chunks: list[ChunkDraft], *, may_overlap: bool) -> None:
    for chunk in chunks:
        assert chunk.content
        assert chunk.content == text[chunk.start : chunk.end]
        assert isinstance(chunk.heading_path, tuple)
    for previous, chunk in pairwise(chunks):
        assert previous.start < chunk.start
        if may_overlap:
            assert previous.end < chunk.end
        else:
            assert previous.end <= chunk.start


def _non_space_covered(text: str, chunks: list[ChunkDraft]) -> None:
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    for match in re.finditer(r"\S", text):
        assert covered[match.start()], (match.start(), text)


@settings(_FAST, max_examples=250)
@given(_DOCUMENT, st.integers(1, 300), st.integers(0, 300))
@pytest.mark.slow
def test_markdown_properties(text: str, max_chars: int, min_chars: int) -> None:
    min_chars = min(min_chars, max_chars)
    chunks = split_text(text, ChunkSettings(min_chars=min_chars, max_chars=max_chars))
    _check_drafts(text, chunks, may_overlap=False)
    assert all(chunk.content == chunk.content.strip() for chunk in chunks)
    assert all(len(chunk.content) <= max_chars for chunk in chunks)
    _non_space_covered(text, chunks)


@_FAST
@given(_DOCUMENT, st.integers(1, 200), st.integers(0, 199))
def test_recursive_properties(text: str, size: int, overlap: int) -> None:
    overlap = min(overlap, size - 1)
    chunks = split_text(text, ChunkSettings(strategy="recursive", size=size, overlap=overlap))
    _check_drafts(text, chunks, may_overlap=overlap > 0)
    assert all(len(chunk.content) <= size for chunk in chunks)
    for previous, chunk in pairwise(chunks):
        assert previous.end - chunk.start <= overlap
    _non_space_covered(text, chunks)


@_FAST
@given(_DOCUMENT, st.integers(1, 200), st.integers(0, 199))
def test_fixed_properties(text: str, size: int, overlap: int) -> None:
    overlap = min(overlap, size - 1)
    chunks = split_text(text, ChunkSettings(strategy="fixed", size=size, overlap=overlap))
    _check_drafts(text, chunks, may_overlap=overlap > 0)
    step = size - overlap
    for chunk in chunks:
        assert chunk.start % step == 0
        assert chunk.end == min(chunk.start + size, len(text))
    _non_space_covered(text, chunks)


@settings(_FAST, max_examples=50)
@given(_DOCUMENT, st.integers(4, 64), st.integers(0, 3))
def test_token_properties(text: str, size: int, overlap: int) -> None:
    chunks = split_text(text, ChunkSettings(strategy="token", size=size, overlap=overlap))
    _check_drafts(text, chunks, may_overlap=overlap > 0)
    _non_space_covered(text, chunks)


@_FAST
@given(
    _DOCUMENT,
    st.integers(1, 200),
    st.integers(0, 199),
    st.sampled_from([None, "python", "javascript", "go", "sql", "markdown", "html"]),
)
def test_code_properties(text: str, size: int, overlap: int, language: str | None) -> None:
    overlap = min(overlap, size - 1)
    chunks = split_text(
        text, ChunkSettings(strategy="code", size=size, overlap=overlap, language=language)
    )
    _check_drafts(text, chunks, may_overlap=overlap > 0)
    assert all(len(chunk.content) <= size for chunk in chunks)
    _non_space_covered(text, chunks)


@_FAST
@given(_DOCUMENT, st.sampled_from(["\n\n", "\n", "。", "|", "---", "$$"]))
def test_delimiter_properties(text: str, delimiter: str) -> None:
    chunks = split_text(text, ChunkSettings(strategy="delimiter", delimiter=delimiter))
    _check_drafts(text, chunks, may_overlap=False)
    for chunk in chunks:
        assert delimiter not in chunk.content
        assert chunk.content == chunk.content.strip()
    for previous, chunk in pairwise(chunks):
        assert delimiter in text[previous.end : chunk.start]


@_FAST
@given(_DOCUMENT)
def test_sentences_keep_all_text(text: str) -> None:
    sentences = split_sentences(text)
    assert all(sentence and sentence == sentence.strip() for sentence in sentences)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)


@settings(_FAST, max_examples=200)
@given(
    st.text(alphabet=st.sampled_from(list("#`~|$\\[] \t\n\r.。!a b字-")), max_size=300),
    st.integers(1, 40),
    st.integers(0, 40),
)
def test_markdown_on_punctuation_soup(text: str, max_chars: int, min_chars: int) -> None:
    min_chars = min(min_chars, max_chars)
    chunks = split_text(text, ChunkSettings(min_chars=min_chars, max_chars=max_chars))
    _check_drafts(text, chunks, may_overlap=False)
    assert all(len(chunk.content) <= max_chars for chunk in chunks)
    _non_space_covered(text, chunks)

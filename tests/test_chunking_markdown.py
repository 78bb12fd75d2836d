"""The Markdown chunking strategy: sections, merging, atomic blocks and sentence fallback."""

from __future__ import annotations

import random
import re

from easy_dataset.chunking import split_sentences, split_text
from easy_dataset.types import ChunkDraft, ChunkSettings

HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S")


def md(text: str, min_chars: int = 1500, max_chars: int = 3000) -> list[ChunkDraft]:
    chunks = split_text(text, ChunkSettings(min_chars=min_chars, max_chars=max_chars))
    assert_invariants(text, chunks, max_chars)
    return chunks


def assert_invariants(text: str, chunks: list[ChunkDraft], max_chars: int) -> None:
    previous_end = 0
    for chunk in chunks:
        assert chunk.content == text[chunk.start : chunk.end]
        assert chunk.content == chunk.content.strip() and chunk.content
        assert chunk.start >= previous_end
        assert len(chunk.content) <= max_chars
        previous_end = chunk.end
    covered = "".join(chunk.content for chunk in chunks)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)


def chunks_containing(chunks: list[ChunkDraft], needle: str) -> list[ChunkDraft]:
    return [chunk for chunk in chunks if needle in chunk.content]


def words(rng: random.Random, count: int) -> str:
    vocabulary = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "chunk",
        "model",
        "data",
        "split",
        "token",
        "layer",
    ]
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def sentence(rng: random.Random) -> str:
    return words(rng, rng.randint(5, 15)).capitalize() + "."


def paragraph(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < chars:
        parts.append(sentence(rng))
    return " ".join(parts)


def test_heading_paths_follow_the_nesting() -> None:
    text = (
        "# Guide\n\nWelcome.\n\n## Install\n\nPick your system.\n\n### Linux\n\n"
        "Use apt.\n\n### macOS\n\nUse brew.\n\n## Usage\n\nRun it.\n"
    )
    chunks = md(text, min_chars=0, max_chars=200)
    paths = {chunk.content.splitlines()[0]: chunk.heading_path for chunk in chunks}
    assert paths["# Guide"] == ("Guide",)
    assert paths["### Linux"] == ("Guide", "Install", "Linux")
    assert paths["### macOS"] == ("Guide", "Install", "macOS")
    assert paths["## Usage"] == ("Guide", "Usage")


def test_preamble_has_an_empty_path() -> None:
    chunks = md("Some preamble.\n\n# Title\n\nBody.\n", min_chars=0, max_chars=40)
    assert chunks[0].content == "Some preamble."
    assert chunks[0].heading_path == ()
    assert chunks[1].heading_path == ("Title",)


def test_small_sections_merge_up_to_the_maximum() -> None:
    rng = random.Random(1)
    sections = [f"## Part {i}\n\n{paragraph(rng, 100)}" for i in range(40)]
    text = "# Book\n\n" + "\n\n".join(sections) + "\n"
    chunks = md(text, min_chars=500, max_chars=1000)
    assert len(chunks) < len(sections) / 3
    for chunk in chunks[:-1]:
        assert 500 <= len(chunk.content) <= 1000
    # A merged chunk is labelled with the path of its first section.
    for chunk in chunks[1:]:
        first_title = chunk.content.splitlines()[0].lstrip("# ")
        assert chunk.heading_path == ("Book", first_title)


def test_a_section_at_least_min_chars_is_not_merged() -> None:
    rng = random.Random(2)
    big = paragraph(rng, 600)
    text = f"# A\n\n{big}\n\n# B\n\nshort\n\n# C\n\nalso short\n"
    chunks = md(text, min_chars=500, max_chars=2000)
    assert [chunk.heading_path for chunk in chunks] == [("A",), ("B",)]
    assert chunks[1].content == "# B\n\nshort\n\n# C\n\nalso short"


def test_oversized_section_is_split_between_paragraphs() -> None:
    rng = random.Random(3)
    paragraphs = [paragraph(rng, rng.randint(200, 400)) for _ in range(20)]
    text = "# Long\n\n" + "\n\n".join(paragraphs) + "\n"
    chunks = md(text, min_chars=500, max_chars=1000)
    assert len(chunks) > 4
    for item in paragraphs:
        assert len(chunks_containing(chunks, item)) == 1
    for chunk in chunks:
        assert chunk.heading_path == ("Long",)
    # Pieces are balanced rather than leaving a runt at the end.
    assert all(len(chunk.content) >= 500 for chunk in chunks)


def test_oversized_paragraph_is_split_at_sentences() -> None:
    rng = random.Random(4)
    sentences = [sentence(rng) for _ in range(60)]
    text = "# One paragraph\n\n" + " ".join(sentences) + "\n"
    chunks = md(text, min_chars=300, max_chars=600)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.content.endswith(".")
    for item in sentences:
        assert chunks_containing(chunks, item)


def test_cjk_paragraph_without_spaces_is_split_at_cjk_punctuation() -> None:
    rng = random.Random(5)
    characters = "数据集的构建需要大量高质量文本模型训练过程中我们发现分块策略"
    sentences = [
        "".join(rng.choice(characters) for _ in range(rng.randint(15, 40))) + rng.choice("。！？；")
        for _ in range(80)
    ]
    text = "# 中文\n\n" + "".join(sentences) + "\n"
    chunks = md(text, min_chars=200, max_chars=400)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert chunk.content[-1] in "。！？；"
    assert all(chunk.heading_path == ("中文",) for chunk in chunks)


def test_sentence_longer_than_max_is_hard_split() -> None:
    text = "# X\n\n" + "字" * 2500 + "\n"
    chunks = md(text, min_chars=100, max_chars=1000)
    assert max(len(chunk.content) for chunk in chunks) <= 1000
    assert "".join(chunk.content for chunk in chunks).count("字") == 2500


def _straddling_document(block: str, rng: random.Random) -> str:
    # Paragraphs fill the chunk to just short of the maximum, so the block sits on the cut.
    lead = [paragraph(rng, 300) for _ in range(3)]
    tail = [paragraph(rng, 300) for _ in range(3)]
    return "# Doc\n\n" + "\n\n".join([*lead, block, *tail]) + "\n"


def test_table_is_never_cut() -> None:
    rng = random.Random(6)
    rows = ["| name | value | note |", "|------|-------|------|"]
    rows += [f"| row{i} | {i * 7} | {words(rng, 3)} |" for i in range(20)]
    table = "\n".join(rows)
    for max_chars in (1200, 1400, 1600, 2000):
        chunks = md(_straddling_document(table, rng), min_chars=400, max_chars=max_chars)
        assert len(chunks_containing(chunks, table)) == 1


def test_fenced_code_with_blank_lines_is_never_cut() -> None:
    rng = random.Random(7)
    body = "\n\n".join(f"def f{i}(x):\n    return x + {i}" for i in range(15))
    fence = f"```python\n{body}\n```"
    for max_chars in (1100, 1300, 1700):
        chunks = md(_straddling_document(fence, rng), min_chars=400, max_chars=max_chars)
        assert len(chunks_containing(chunks, fence)) == 1


def test_display_math_is_never_cut() -> None:
    rng = random.Random(8)
    lines = [f"x_{i} &= \\sum_{{k=0}}^{{{i}}} a_k b_k \\\\" for i in range(12)]
    dollars = "$$\n\\begin{aligned}\n" + "\n\n".join(lines) + "\n\\end{aligned}\n$$"
    brackets = "\\[\n" + "\n\n".join(lines) + "\n\\]"
    for block in (dollars, brackets):
        for max_chars in (1100, 1300):
            chunks = md(_straddling_document(block, rng), min_chars=400, max_chars=max_chars)
            assert len(chunks_containing(chunks, block)) == 1


def test_table_glued_to_its_caption_stays_whole_in_an_oversized_block() -> None:
    rng = random.Random(9)
    table = "\n".join(f"| {i} | {words(rng, 4)} |" for i in range(15))
    # No blank lines: caption, table and a long paragraph form one oversized block.
    text = f"# T\n\nTable 1 shows results:\n{table}\n{paragraph(rng, 1500)}\n"
    chunks = md(text, min_chars=200, max_chars=700)
    assert len(chunks_containing(chunks, table)) == 1


def test_oversized_code_block_is_split_only_at_line_boundaries() -> None:
    lines = [f"    value_{i} = compute({i}, 'some argument text')" for i in range(200)]
    fence = "```python\n" + "\n".join(lines) + "\n```"
    text = f"# Code\n\nIntro.\n\n{fence}\n\nOutro.\n"
    chunks = md(text, min_chars=500, max_chars=1000)
    assert len(chunks) > 5
    for chunk in chunks:
        before = text.rfind("\n", 0, chunk.start) + 1
        after = text.find("\n", chunk.end)
        assert not text[before : chunk.start].strip()
        assert not text[chunk.end : len(text) if after < 0 else after].strip()
    for line in lines:
        assert len(chunks_containing(chunks, line.strip())) == 1


def test_no_chunk_ends_with_a_bare_heading() -> None:
    rng = random.Random(10)
    parts = []
    for chapter in range(6):
        parts.append(f"# Chapter {chapter}")
        for section in range(3):
            parts.append(f"## Section {chapter}.{section}")
            parts.append(f"### Detail {chapter}.{section}")
            parts.extend(paragraph(rng, rng.randint(100, 900)) for _ in range(rng.randint(1, 4)))
    text = "\n\n".join(parts) + "\n"
    for min_chars, max_chars in ((0, 800), (300, 800), (500, 1000), (1500, 3000)):
        chunks = md(text, min_chars=min_chars, max_chars=max_chars)
        for chunk in chunks:
            assert not HEADING_LINE.match(chunk.content.splitlines()[-1]), chunk.content


def test_heading_only_section_goes_with_an_oversized_next_section() -> None:
    rng = random.Random(11)
    text = f"# Part\n\n## Chapter\n\n{paragraph(rng, 2500)}\n"
    chunks = md(text, min_chars=500, max_chars=1000)
    assert chunks[0].content.startswith("# Part\n\n## Chapter\n\n")
    assert chunks[0].heading_path == ("Part",)
    assert chunks[1].heading_path == ("Part", "Chapter")


def test_headings_inside_fences_do_not_start_sections() -> None:
    text = "# Real\n\n```bash\n# not a heading\necho hi\n```\n"
    chunks = md(text, min_chars=0, max_chars=100)
    assert len(chunks) == 1
    assert chunks[0].heading_path == ("Real",)


def test_defaults_keep_chunks_within_1500_to_3000() -> None:
    rng = random.Random(12)
    parts = []
    for index in range(60):
        parts.append("#" * rng.randint(1, 3) + f" Heading {index}")
        for _ in range(rng.choice([1, 2, 4, 8, 16])):
            if rng.random() < 0.15:
                parts.append("```\n" + "\n".join(words(rng, 8) for _ in range(10)) + "\n```")
            else:
                parts.append(paragraph(rng, rng.randint(80, 700)))
    text = "\n\n".join(parts) + "\n"
    chunks = md(text)
    sizes = [len(chunk.content) for chunk in chunks]
    assert max(sizes) <= 3000
    # Most chunks reach the minimum; only a section followed by one too big to join stays short.
    assert sum(size >= 1500 for size in sizes) >= 0.7 * len(sizes)


def test_crlf_blank_lines_separate_paragraphs() -> None:
    rng = random.Random(13)
    paragraphs = [paragraph(rng, 300) for _ in range(8)]
    text = "# Win\r\n\r\n" + "\r\n\r\n".join(paragraphs) + "\r\n"
    chunks = md(text, min_chars=300, max_chars=700)
    for item in paragraphs:
        assert len(chunks_containing(chunks, item)) == 1


def test_empty_and_blank_text() -> None:
    assert split_text("", ChunkSettings()) == []
    assert split_text(" \n\n\t ", ChunkSettings()) == []


def test_split_sentences() -> None:
    assert split_sentences("Hello there. How are you? Fine!  Pi is 3.14 today.") == [
        "Hello there.",
        "How are you?",
        "Fine!",
        "Pi is 3.14 today.",
    ]
    assert split_sentences("第一句。第二句！第三句？“引用。”最后；结束") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "“引用。”",
        "最后；",
        "结束",
    ]
    assert split_sentences('He said "stop." Then Dr. Lee left.\n\nNew paragraph') == [
        'He said "stop."',
        "Then Dr. Lee left.",
        "New paragraph",
    ]
    assert split_sentences("  ") == []

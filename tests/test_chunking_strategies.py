"""The non-Markdown chunking strategies: recursive, fixed, token, code and delimiter."""

from __future__ import annotations

import random
import textwrap
from itertools import pairwise

import pytest

from easy_dataset.chunking import detect_language, split_text
from easy_dataset.chunking.tokens import token_splitter
from easy_dataset.types import ChunkDraft, ChunkSettings

VOCABULARY = [
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


def prose(seed: int, paragraphs: int) -> str:
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(4, 14))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        out.append(" ".join(sentences))
    return "\n\n".join(out)


def check_offsets(text: str, chunks: list[ChunkDraft]) -> None:
    assert chunks
    for previous, chunk in pairwise(chunks):
        assert previous.start < chunk.start and previous.end < chunk.end
    for chunk in chunks:
        assert chunk.content == text[chunk.start : chunk.end]
        assert chunk.content.strip()


# --- recursive ---------------------------------------------------------------------------------


def test_recursive_respects_size_and_overlap() -> None:
    text = "# Notes\n\n" + prose(1, 30)
    settings = ChunkSettings(strategy="recursive", size=300, overlap=60)
    chunks = split_text(text, settings)
    check_offsets(text, chunks)
    assert all(len(chunk.content) <= 300 for chunk in chunks)
    shared = [previous.end - chunk.start for previous, chunk in pairwise(chunks)]
    assert all(amount <= 60 for amount in shared)
    # Overlap is really applied: most neighbours share text, and it is the same text.
    assert sum(amount > 0 for amount in shared) >= len(shared) * 0.6
    for previous, chunk in pairwise(chunks):
        if previous.end > chunk.start:
            assert text[chunk.start : previous.end] in previous.content
    assert all(chunk.heading_path == ("Notes",) for chunk in chunks)


def test_recursive_without_overlap_covers_the_text_once() -> None:
    text = prose(2, 20)
    chunks = split_text(text, ChunkSettings(strategy="recursive", size=250))
    check_offsets(text, chunks)
    assert all(previous.end <= chunk.start for previous, chunk in pairwise(chunks))
    joined = "".join(chunk.content for chunk in chunks)
    assert joined.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_recursive_prefers_paragraphs_then_sentences() -> None:
    paragraphs = [prose(seed, 1) for seed in range(10)]
    text = "\n\n".join(paragraphs)
    size = max(len(item) for item in paragraphs) + 5
    chunks = split_text(text, ChunkSettings(strategy="recursive", size=size))
    for item in paragraphs:
        assert any(item in chunk.content for chunk in chunks)


def test_recursive_splits_cjk_at_cjk_punctuation() -> None:
    text = "".join(f"第{i}句话的内容比较长一些用来测试。" for i in range(50))
    chunks = split_text(text, ChunkSettings(strategy="recursive", size=60))
    check_offsets(text, chunks)
    assert all(len(chunk.content) <= 60 and chunk.content.endswith("。") for chunk in chunks)


def test_recursive_custom_separators_and_hard_cut() -> None:
    text = "a|" * 50 + "x" * 95
    chunks = split_text(text, ChunkSettings(strategy="recursive", size=20, separators=["|", ""]))
    check_offsets(text, chunks)
    assert all(len(chunk.content) <= 20 for chunk in chunks)
    assert "".join(chunk.content for chunk in chunks) == text


# --- fixed -------------------------------------------------------------------------------------


def test_fixed_windows_overlap_exactly() -> None:
    text = prose(3, 12)
    size, overlap = 200, 50
    chunks = split_text(text, ChunkSettings(strategy="fixed", size=size, overlap=overlap))
    check_offsets(text, chunks)
    for index, chunk in enumerate(chunks):
        assert chunk.start == index * (size - overlap)
        assert chunk.end == min(chunk.start + size, len(text))
    for previous, chunk in pairwise(chunks):
        assert previous.content[-overlap:] == chunk.content[:overlap]
    assert chunks[-1].end == len(text)


def test_fixed_drops_blank_windows_only() -> None:
    text = "abc" + " " * 30 + "def"
    chunks = split_text(text, ChunkSettings(strategy="fixed", size=10))
    assert [chunk.content for chunk in chunks] == ["abc       ", "   def"]
    assert [chunk.start for chunk in chunks] == [0, 30]


# --- token -------------------------------------------------------------------------------------


def test_token_chunks_fit_the_token_budget() -> None:
    text = "# Tokens\n\n" + prose(4, 20) + "\n\n" + "中文文本测试，包括标点。" * 40
    size = 64
    chunks = split_text(text, ChunkSettings(strategy="token", size=size, overlap=8))
    check_offsets(text, chunks)
    assert len(chunks) > 5
    fits = token_splitter(size)
    # A text of at most `size` tokens comes back from a splitter of that capacity in one piece.
    for chunk in chunks:
        assert fits.chunks(chunk.content) == [chunk.content]
    too_small = token_splitter(size // 4)
    assert any(len(too_small.chunks(chunk.content)) > 1 for chunk in chunks)


def test_token_offsets_are_character_offsets() -> None:
    text = "héllo wörld — ünïcode. " * 30 + "日本語のテキストです。" * 30
    chunks = split_text(text, ChunkSettings(strategy="token", size=20))
    check_offsets(text, chunks)
    assert chunks[-1].end == len(text.rstrip())


# --- code --------------------------------------------------------------------------------------

PYTHON_FUNCTIONS = [
    textwrap.dedent(
        f'''\
        @decorator({i})
        def function_{i}(value, other=None):
            """Do thing number {i}."""
            total = value * {i}

            for item in range({i}):
                total += item
            return total
        '''
    ).rstrip()
    for i in range(12)
]


def test_code_keeps_python_functions_whole() -> None:
    text = "import os\nimport sys\n\n\n" + "\n\n\n".join(PYTHON_FUNCTIONS) + "\n"
    longest = max(len(function) for function in PYTHON_FUNCTIONS)
    for size in (longest + 10, longest * 2, longest * 3 + 20):
        chunks = split_text(text, ChunkSettings(strategy="code", size=size))
        check_offsets(text, chunks)
        assert all(len(chunk.content) <= size for chunk in chunks)
        for function in PYTHON_FUNCTIONS:
            assert len([chunk for chunk in chunks if function in chunk.content]) == 1
        assert all(chunk.heading_path == () for chunk in chunks)


def test_code_keeps_methods_whole_inside_a_large_class() -> None:
    methods = [
        f"    def method_{i}(self):\n        x = {i}\n\n        return x * self.factor\n"
        for i in range(20)
    ]
    text = "class Big:\n    factor = 2\n\n" + "\n".join(methods)
    chunks = split_text(text, ChunkSettings(strategy="code", size=200, language="python"))
    check_offsets(text, chunks)
    for method in methods:
        assert any(method.strip() in chunk.content for chunk in chunks)


def test_code_javascript_functions_with_doc_comments() -> None:
    functions = [
        f"/**\n * Helper {i}.\n */\nexport function helper{i}(a, b) {{\n"
        f"  const sum = a + b;\n\n  return sum * {i};\n}}"
        for i in range(10)
    ]
    text = "\n\n".join(functions) + "\n"
    assert detect_language(text) == "javascript"
    size = max(len(function) for function in functions) * 2 + 5
    chunks = split_text(text, ChunkSettings(strategy="code", size=size))
    check_offsets(text, chunks)
    for function in functions:
        assert len([chunk for chunk in chunks if function in chunk.content]) == 1


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("python", "import os\n\ndef main():\n    print(os.name)\n"),
        ("python", "#!/usr/bin/env python3\nprint('hi')\n"),
        ("shell", "#!/bin/bash\necho hi\n"),
        ("javascript", "const fs = require('fs');\nfunction main() {\n  console.log(1);\n}\n"),
        ("typescript", "export interface User {\n  name: string;\n  age: number;\n}\n"),
        ("java", "package app;\n\npublic class Main {\n  @Override\n  void run() {}\n}\n"),
        ("csharp", "using System;\nnamespace App {\n  class P { }\n}\n"),
        ("cpp", '#include <stdio.h>\n\nint main(void) {\n  printf("hi");\n}\n'),
        ("go", 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(1)\n}\n'),
        ("rust", 'use std::io;\n\nfn main() {\n    let mut x = 1;\n    println!("{}", x);\n}\n'),
        ("ruby", "require 'json'\n\ndef hello\n  puts 'hi'\nend\n"),
        ("php", "<?php\nfunction hi() {\n  $x = 1;\n  echo $x;\n}\n"),
        ("sql", "CREATE TABLE t (id int);\nSELECT id FROM t\nWHERE id > 1;\n"),
        ("html", "<!DOCTYPE html>\n<html><body><div>hi</div></body></html>\n"),
        ("markdown", "# Title\n\n- item one\n- item two\n\nSee [docs](http://x).\n"),
    ],
)
def test_detect_language(language: str, source: str) -> None:
    assert detect_language(source) == language


def test_detect_language_gives_up_on_prose() -> None:
    assert detect_language("just some words without any code in them") is None


@pytest.mark.parametrize("language", ["go", "rust", "java", "cpp", "sql", "nonsense", None])
def test_code_splitting_is_valid_for_every_language(language: str | None) -> None:
    text = (
        textwrap.dedent(
            """\
        package main
        // A comment about the function below.
        func alpha(x int) int {
            if x > 1 {
                return x
            }
            return 0
        }

        fn beta() { let mut y = 2; }

        public class Gamma { private int z; }
        SELECT a FROM b WHERE c = 1;
        """
        )
        * 6
    )
    chunks = split_text(
        text, ChunkSettings(strategy="code", size=120, overlap=20, language=language)
    )
    check_offsets(text, chunks)
    assert all(len(chunk.content) <= 120 for chunk in chunks)


# --- delimiter ---------------------------------------------------------------------------------


def test_delimiter_splits_exactly_and_drops_blank_pieces() -> None:
    text = "first ---second---\n---  ---third part\n--- "
    chunks = split_text(text, ChunkSettings(strategy="delimiter", delimiter="---"))
    check_offsets(text, chunks)
    assert [chunk.content for chunk in chunks] == ["first", "second", "third part"]
    assert [chunk.start for chunk in chunks] == [0, 9, 27]


def test_delimiter_keeps_heading_paths() -> None:
    text = "# A\n\none\n\n## B\n\ntwo"
    chunks = split_text(text, ChunkSettings(strategy="delimiter"))
    assert [(chunk.content, chunk.heading_path) for chunk in chunks] == [
        ("# A", ("A",)),
        ("one", ("A",)),
        ("## B", ("A", "B")),
        ("two", ("A", "B")),
    ]

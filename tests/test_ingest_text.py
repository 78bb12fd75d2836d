"""Text and Markdown ingestion: encodings, BOMs, broken UTF-8, binary data, empty files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from easy_dataset.ingest import parse_document
from easy_dataset.ingest.text import decode_text
from tests.ingest_asserts import expect_error, shape
from tests.ingest_samples import (
    FRENCH,
    GERMAN,
    JAPANESE,
    ZH_SIMPLIFIED,
    ZH_TRADITIONAL,
    png_bytes,
    write,
)

FRENCH_LATIN1 = FRENCH.replace("œ", "oe").replace("—", "-")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ZH_SIMPLIFIED, "gb18030"),
        (ZH_SIMPLIFIED, "gbk"),
        (ZH_SIMPLIFIED, "gb2312"),
        (ZH_TRADITIONAL, "big5"),
        (JAPANESE, "shift_jis"),
        (FRENCH, "cp1252"),
        (FRENCH_LATIN1, "latin-1"),
        (GERMAN, "latin-1"),
        (ZH_SIMPLIFIED, "utf-8"),
        (ZH_SIMPLIFIED, "utf-8-sig"),
        (ZH_SIMPLIFIED, "utf-16"),
        (ZH_SIMPLIFIED, "utf-32"),
    ],
)
def test_text_in_each_encoding_is_decoded(tmp_path: Path, text: str, encoding: str) -> None:
    body = f"{text}\n\n{text}\n"
    parsed = parse_document(write(tmp_path / "notes.txt", body.encode(encoding)))
    assert parsed.format == "text"
    assert parsed.markdown == body
    assert parsed.outline == []


def test_markdown_in_gbk_keeps_its_headings(tmp_path: Path) -> None:
    body = f"# 第一章 春天\n\n{ZH_SIMPLIFIED}\n\n## 公园\n\n{ZH_SIMPLIFIED}\n"
    parsed = parse_document(write(tmp_path / "notes.md", body.encode("gbk")))
    assert parsed.markdown == body
    assert shape(parsed.outline) == [(1, "第一章 春天", [(2, "公园", [])])]


def test_bom_is_stripped_and_newlines_normalised(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf# Title\r\n\r\nLine one\rLine two\r\n"
    parsed = parse_document(write(tmp_path / "bom.md", data))
    assert parsed.markdown == "# Title\n\nLine one\nLine two\n"


def test_utf16_without_bom_is_recognised() -> None:
    text = "Plain English notes saved by an old editor.\nSecond line.\n"
    assert decode_text(text.encode("utf-16-le"), "notes.txt") == text
    assert decode_text(text.encode("utf-16-be"), "notes.txt") == text


def test_markdown_is_kept_as_is(tmp_path: Path) -> None:
    body = (
        "# Guide\n\nIntro with *emphasis*, a_snake_name and trailing spaces  \n\n"
        "```python\n# not a heading\nprint('hi')\n```\n\n\n\n### Deep\n\n## Back\n"
    )
    parsed = parse_document(write(tmp_path / "guide.markdown", body.encode()))
    assert parsed.format == "markdown"
    assert parsed.markdown == body
    assert shape(parsed.outline) == [(1, "Guide", [(3, "Deep", []), (2, "Back", [])])]


def test_plain_text_hash_lines_are_not_headings(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "script.text", b"# comment\nvalue = 1\n"))
    assert parsed.markdown == "# comment\nvalue = 1\n"
    assert parsed.outline == []


def test_invalid_utf8_bytes_are_reported_not_guessed(tmp_path: Path) -> None:
    good = f"{ZH_SIMPLIFIED}\n{FRENCH}\n".encode()
    offset = len(good) // 2
    # Step back to a character boundary so the stray byte is the first invalid one.
    while good[offset] & 0xC0 == 0x80:
        offset -= 1
    data = good[:offset] + b"\xff" + good[offset:] + b"\xff"
    error = expect_error(write(tmp_path / "broken.txt", data), "invalid UTF-8 at byte")
    assert error.reason == f"invalid UTF-8 at byte {offset}; re-save the file as UTF-8"


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_binary_with_text_extension(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"image{suffix}", png_bytes())
    expect_error(path, "looks like binary data, not text")


def test_random_bytes_are_binary(tmp_path: Path) -> None:
    data = random.Random(3).randbytes(5000)
    expect_error(write(tmp_path / "random.txt", data), "looks like binary data, not text")


def test_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    data = bytes(range(1, 9)) * 200 + b"some words"
    expect_error(write(tmp_path / "controls.md", data), "looks like binary data, not text")


def test_empty_file(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "empty.txt", b""), "the file is empty")


def test_whitespace_only_file(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "blank.md", b"  \r\n\t\n\n  "), "the file is empty")


def test_whitespace_only_utf16_file(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "blank.txt", "\n \n".encode("utf-16")), "the file is empty")

"""What every format shares: extensions, size limit, file errors, outline, no files written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest import SUPPORTED_EXTENSIONS, build_outline, parse_document
from tests.ingest_asserts import shape
from tests.ingest_samples import docx_bytes, epub_bytes, pdf_bytes, write


def reason_for(path: Path, **kwargs: object) -> str:
    with pytest.raises(IngestError) as caught:
        parse_document(path, **kwargs)  # type: ignore[arg-type]
    assert "\n" not in caught.value.reason
    assert caught.value.reason[0].islower()
    return caught.value.reason


def test_supported_extensions() -> None:
    assert SUPPORTED_EXTENSIONS == {
        ".pdf": "pdf",
        ".docx": "docx",
        ".epub": "epub",
        ".html": "html",
        ".htm": "html",
        ".xhtml": "html",
        ".md": "markdown",
        ".markdown": "markdown",
        ".txt": "text",
        ".text": "text",
    }


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "data.xyz", b"hello")
    with pytest.raises(IngestError) as caught:
        parse_document(path)
    assert caught.value.filename == "data.xyz"
    assert caught.value.reason == (
        "unsupported file type '.xyz'; supported: .docx, .epub, .htm, .html, .markdown, .md, "
        ".pdf, .text, .txt, .xhtml"
    )


def test_missing_extension(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "README", b"hello")).startswith("the file has no extension")


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    assert parse_document(write(tmp_path / "NOTES.MD", b"# Hi\n")).format == "markdown"


def test_display_name_names_the_file_and_may_supply_the_extension(tmp_path: Path) -> None:
    upload = write(tmp_path / "upload-1234", b"# Uploaded\n\nbody\n")
    parsed = parse_document(upload, display_name="notes.md")
    assert shape(parsed.outline) == [(1, "Uploaded", [])]
    empty = write(tmp_path / "upload-5678", b"")
    with pytest.raises(IngestError) as caught:
        parse_document(empty, display_name="empty.txt")
    assert str(caught.value) == caught.value.filename + ": " + caught.value.reason
    assert caught.value.filename == "empty.txt"


def test_file_over_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", b"x" * 2000)
    assert reason_for(path, max_bytes=1000) == (
        "the file is 0.0019 MB, over the 0.00095 MB limit (the max file size setting raises it)"
    )


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "exact.txt", b"x" * 1000)
    assert parse_document(path, max_bytes=1000).markdown == "x" * 1000


def test_big_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(250 * 1024 * 1024)  # sparse: costs no disk

    def no_reading(*args: object, **kwargs: object) -> object:
        raise AssertionError("an over-limit file must not be opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert reason_for(path) == (
        "the file is 250.0 MB, over the 200 MB limit (the max file size setting raises it)"
    )


def test_missing_file(tmp_path: Path) -> None:
    assert reason_for(tmp_path / "gone.md").startswith("the file does not exist")


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert reason_for(folder).startswith("not a regular file")


def test_build_outline_nests_by_level() -> None:
    markdown = (
        "Intro without heading\n\n# One\n\n### One.a (skipped level)\n\n## One.b\n\n"
        "```\n# not a heading\n```\n\n#### One.b.i\n\n# **Two**\n\n## Two.a\n"
    )
    assert shape(build_outline(markdown)) == [
        (1, "One", [(3, "One.a (skipped level)", []), (2, "One.b", [(4, "One.b.i", [])])]),
        (1, "Two", [(2, "Two.a", [])]),
    ]
    assert build_outline("no headings here") == []


def test_outline_starting_below_level_one() -> None:
    assert shape(build_outline("## A\n\n### B\n\n# C\n\n## D\n")) == [
        (2, "A", [(3, "B", [])]),
        (1, "C", [(2, "D", [])]),
    ]


def test_parsing_writes_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(workdir)
    files = [
        write(inputs / "a.pdf", pdf_bytes()),
        write(inputs / "b.docx", docx_bytes()),
        write(inputs / "c.epub", epub_bytes()),
        write(inputs / "d.html", b"<h1>Page</h1><p>text</p>"),
        write(inputs / "e.md", b"# Notes\n"),
        write(inputs / "f.txt", b"plain"),
    ]
    before = sorted(os.listdir(inputs))
    for path in files:
        assert parse_document(path).markdown
    assert sorted(os.listdir(inputs)) == before
    assert os.listdir(scratch) == []
    assert os.listdir(workdir) == []

"""EPUB ingestion: spine order, structure, and refusal of escapes, XXE, bombs and DRM."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest import parse_document
from easy_dataset.ingest.archive import ArchiveLimits
from easy_dataset.ingest.epub import parse_epub
from tests.ingest_asserts import expect_error, shape
from tests.ingest_samples import (
    CONTAINER_XML,
    MIB,
    ZH_SIMPLIFIED,
    RawEntry,
    chapter_xhtml,
    default_epub_members,
    epub_bytes,
    package_opf,
    with_raw_entry,
    write,
    zeros_bomb,
)

OPF = "OEBPS/content.opf"


def test_epub_chapters_follow_the_spine(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "book.epub", epub_bytes()))
    markdown = parsed.markdown
    assert parsed.format == "epub"
    positions = [
        markdown.index(f"# {title}") for title in ("Prologue", "Chapter One", "Chapter Two")
    ]
    assert positions == sorted(positions)
    assert markdown.startswith("# Prologue")


def test_epub_structure_comes_through_as_markdown(tmp_path: Path) -> None:
    markdown = parse_document(write(tmp_path / "book.epub", epub_bytes())).markdown
    assert re.search(r"^## A Section$", markdown, re.MULTILINE)
    assert re.search(r"^- apples$", markdown, re.MULTILINE)
    assert re.search(r"^\| Key \| Value \|$", markdown, re.MULTILINE)
    assert re.search(r"^\| k1 \| v1 \|$", markdown, re.MULTILINE)
    assert "Read this first. Next" in markdown  # in-book link kept as plain words
    assert "color: red" not in markdown  # <style> dropped
    assert markdown.count("Chapter One") == 1  # <head><title> dropped
    assert "\n\n\n" not in markdown


def test_epub_outline(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "book.epub", epub_bytes()))
    assert shape(parsed.outline) == [
        (1, "Prologue", []),
        (1, "Chapter One", []),
        (1, "Chapter Two", [(2, "A Section", [])]),
    ]


def test_epub_chapter_in_declared_legacy_encoding(tmp_path: Path) -> None:
    chapter = (
        '<?xml version="1.0" encoding="GB18030"?>\n'
        f"<html><body><h1>第一章</h1><p>{ZH_SIMPLIFIED}</p></body></html>"
    ).encode("gb18030")
    members = {
        OPF: package_opf([("c1", "zh.xhtml")], ["c1"]),
        "OEBPS/zh.xhtml": chapter,
    }
    markdown = parse_document(write(tmp_path / "zh.epub", epub_bytes(members))).markdown
    assert "# 第一章" in markdown
    assert ZH_SIMPLIFIED in markdown


@pytest.mark.parametrize("href", ["../../etc/passwd", "text/../../../outside.xhtml", "/etc/passwd"])
def test_epub_href_escaping_the_archive_is_refused(tmp_path: Path, href: str) -> None:
    members = default_epub_members()
    members[OPF] = package_opf([("c1", href)], ["c1"])
    error = expect_error(
        write(tmp_path / "escape.epub", epub_bytes(members)),
        "archive member path escapes the archive",
    )
    assert href in error.reason


def test_epub_rootfile_escaping_the_archive_is_refused(tmp_path: Path) -> None:
    container = CONTAINER_XML.replace(b"OEBPS/content.opf", b"../content.opf")
    path = write(tmp_path / "escape.epub", epub_bytes(container=container))
    expect_error(path, "archive member path escapes the archive: ../content.opf")


def test_epub_xxe_in_chapter_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", b"TOPSECRET-EPUB-7")
    doctype = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    chapter = chapter_xhtml("Evil", "<p>&xxe;</p>", doctype=doctype)
    members = default_epub_members()
    members["OEBPS/text/one.xhtml"] = chapter
    error = expect_error(
        write(tmp_path / "evil.epub", epub_bytes(members)), "possible XXE", "text/one.xhtml"
    )
    assert "TOPSECRET" not in str(error)


def test_epub_xxe_in_package_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", b"TOPSECRET-OPF-8")
    opf = package_opf([("c1", "text/one.xhtml")], ["c1"]).replace(
        b"<package", f'<!DOCTYPE package [<!ENTITY t SYSTEM "file://{secret}">]>\n<package'.encode()
    )
    members = default_epub_members()
    members[OPF] = opf.replace(b"<dc:title>Book", b"<dc:title>&t;")
    error = expect_error(write(tmp_path / "evil.epub", epub_bytes(members)), "possible XXE", OPF)
    assert "TOPSECRET" not in str(error)


def test_epub_plain_doctype_in_container_is_refused(tmp_path: Path) -> None:
    container = CONTAINER_XML.replace(b"<container", b"<!DOCTYPE container>\n<container")
    path = write(tmp_path / "dtd.epub", epub_bytes(container=container))
    expect_error(path, "possible XXE", "META-INF/container.xml")


def test_epub_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = zeros_bomb(300)
    chapter_bomb = RawEntry(
        "OEBPS/text/one.xhtml", bomb.payload, bomb.method, bomb.crc, bomb.declared_size
    )
    members = default_epub_members()
    del members["OEBPS/text/one.xhtml"]
    data = with_raw_entry(epub_bytes(members), chapter_bomb)
    started = time.perf_counter()
    expect_error(write(tmp_path / "bomb.epub", data), "(zip bomb?)", "expands past")
    assert time.perf_counter() - started < 5


def test_epub_bomb_under_injected_limits() -> None:
    bomb = zeros_bomb(3)
    chapter = RawEntry("OEBPS/text/one.xhtml", bomb.payload, bomb.method, bomb.crc, 3 * MIB)
    members = default_epub_members()
    del members["OEBPS/text/one.xhtml"]
    data = with_raw_entry(epub_bytes(members), chapter)
    limits = ArchiveLimits(max_total_bytes=1 * MIB, ratio_floor_bytes=1 * MIB)
    with pytest.raises(IngestError, match=r"expands past 1 MB \(zip bomb\?\)"):
        parse_epub(data, "bomb.epub", limits)


def test_epub_that_is_not_a_zip(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.epub", b"<html>not a book</html>")
    expect_error(path, "not an EPUB file (not a zip archive)")


def test_epub_without_container(tmp_path: Path) -> None:
    members = default_epub_members()
    del members[OPF]
    path = write(tmp_path / "nocontainer.epub", epub_bytes(members, container=None))
    expect_error(path, "META-INF/container.xml is missing")


def test_epub_without_container_but_one_package_still_reads(tmp_path: Path) -> None:
    path = write(tmp_path / "lenient.epub", epub_bytes(container=None))
    assert parse_document(path).markdown.startswith("# Prologue")


def test_epub_with_encrypted_chapters_is_refused(tmp_path: Path) -> None:
    encryption = b"""<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:CipherData>
    <enc:CipherReference URI="OEBPS/text/two.xhtml"/>
  </enc:CipherData></enc:EncryptedData>
</encryption>"""
    members = default_epub_members()
    members["META-INF/encryption.xml"] = encryption
    expect_error(write(tmp_path / "drm.epub", epub_bytes(members)), "DRM-protected")


def test_epub_with_no_text(tmp_path: Path) -> None:
    members = {
        OPF: package_opf([("c1", "empty.xhtml")], ["c1"]),
        "OEBPS/empty.xhtml": b"<html><body><img src='cover.jpg'/></body></html>",
    }
    expect_error(write(tmp_path / "empty.epub", epub_bytes(members)), "no text could be extracted")

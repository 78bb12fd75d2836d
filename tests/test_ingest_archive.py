"""The safe zip reader: expansion budget, member limits, XML declaration checks, paths."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest.archive import ArchiveLimits, SafeArchive, resolve_member
from tests.ingest_samples import MIB, RawEntry, deflated, raw_zip, stored, zeros_bomb

SMALL = ArchiveLimits(max_total_bytes=1 * MIB, ratio_floor_bytes=1 * MIB, chunk_bytes=64 * 1024)


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_budget_is_capped_by_ratio_and_total() -> None:
    limits = ArchiveLimits()
    assert limits.budget_for(10_000) == 64 * MIB  # small archives get the floor
    assert limits.budget_for(1 * MIB) == 200 * MIB  # then 200:1
    assert limits.budget_for(100 * MIB) == 512 * MIB  # never past the total cap


def test_read_stops_at_the_budget() -> None:
    archive = SafeArchive(zip_of({"big.bin": bytes(5 * MIB)}), "a.zip", "DOCX", SMALL)
    with pytest.raises(IngestError, match=r"a\.zip: the archive expands past 1 MB \(zip bomb\?\)"):
        archive.read("big.bin")


def test_budget_is_shared_across_members() -> None:
    data = zip_of({"a.bin": bytes(600 * 1024), "b.bin": bytes(600 * 1024)})
    archive = SafeArchive(data, "a.zip", "DOCX", SMALL)
    assert len(archive.read("a.bin")) == 600 * 1024
    with pytest.raises(IngestError, match="zip bomb"):
        archive.read("b.bin")


def test_declared_sizes_over_budget_fail_before_decompressing() -> None:
    bomb = zeros_bomb(4)
    huge = RawEntry("x.bin", bomb.payload, bomb.method, bomb.crc, 4_000_000_000)
    archive = SafeArchive(raw_zip([huge]), "a.zip", "EPUB")
    started = time.perf_counter()
    with pytest.raises(IngestError, match="zip bomb"):
        archive.validate_all(lambda name, head: None)
    assert time.perf_counter() - started < 0.5


def test_understated_size_is_caught() -> None:
    bomb = zeros_bomb(4)
    liar = RawEntry("x.bin", bomb.payload, bomb.method, bomb.crc, 100)
    archive = SafeArchive(raw_zip([liar]), "a.zip", "EPUB", SMALL)
    with pytest.raises(IngestError, match=r"damaged|zip bomb"):
        archive.read("x.bin")


def test_too_many_members() -> None:
    data = zip_of({f"f{index}.txt": b"x" for index in range(6)})
    with pytest.raises(IngestError, match="6 members, over the limit of 5"):
        SafeArchive(data, "a.zip", "EPUB", ArchiveLimits(max_members=5))


def test_unusual_compression_is_refused() -> None:
    archive = SafeArchive(zip_of({"a.xml": b"<a/>"}, zipfile.ZIP_BZIP2), "a.zip", "DOCX")
    with pytest.raises(IngestError, match="unsupported compression method"):
        archive.read("a.xml")


def test_encrypted_member_is_refused() -> None:
    entry = stored("a.xml", b"<a/>")
    locked = RawEntry(entry.name, entry.payload, entry.method, entry.crc, entry.declared_size, 1)
    archive = SafeArchive(raw_zip([locked]), "a.zip", "DOCX")
    with pytest.raises(IngestError, match="is encrypted"):
        archive.read("a.xml")


def test_bad_crc_is_damage() -> None:
    entry = deflated("a.txt", b"hello world" * 100)
    broken = RawEntry(entry.name, entry.payload, entry.method, entry.crc ^ 1, entry.declared_size)
    archive = SafeArchive(raw_zip([broken]), "a.zip", "EPUB")
    with pytest.raises(IngestError, match="the archive is damaged"):
        archive.read("a.txt")


def test_garbage_is_damage() -> None:
    with pytest.raises(IngestError, match="the archive is damaged"):
        SafeArchive(b"PK\x03\x04" + bytes(100), "a.zip", "DOCX")


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>',
        b'<!ENTITY x "y"><a/>',
        b"<!doctype a><a/>",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16-le"),
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16-be"),
    ],
)
def test_strict_members_refuse_any_dtd(xml: bytes) -> None:
    archive = SafeArchive(zip_of({"part.xml": xml}), "a.zip", "DOCX")
    with pytest.raises(IngestError, match=r"declaration in part\.xml is refused \(possible XXE\)"):
        archive.read("part.xml", "strict")


def test_lenient_members_allow_a_bare_doctype_only() -> None:
    data = zip_of({"ok.xhtml": b"<!DOCTYPE html><p>x</p>", "bad.xhtml": b'<!ENTITY e "x">'})
    archive = SafeArchive(data, "a.zip", "EPUB")
    assert archive.read("ok.xhtml", "lenient") == b"<!DOCTYPE html><p>x</p>"
    with pytest.raises(IngestError, match="possible XXE"):
        archive.read("bad.xhtml", "lenient")


def test_declaration_split_across_chunks_is_found() -> None:
    xml = b"<?xml version='1.0'?>" + b" " * (64 * 1024 - 25) + b"<!DOCTYPE a><a/>"
    archive = SafeArchive(zip_of({"p.xml": xml}), "a.zip", "DOCX", SMALL)
    with pytest.raises(IngestError, match="possible XXE"):
        archive.read("p.xml", "strict")


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("OEBPS", "text/ch1.xhtml", "OEBPS/text/ch1.xhtml"),
        ("OEBPS/text", "../images/a.png", "OEBPS/images/a.png"),
        ("OEBPS", "ch%201.xhtml#part", "OEBPS/ch 1.xhtml"),
        ("", "content.opf", "content.opf"),
        ("OEBPS", "./a/./b/../c.xhtml", "OEBPS/a/c.xhtml"),
    ],
)
def test_resolve_member_inside(base: str, href: str, expected: str) -> None:
    assert resolve_member(base, href, "book.epub") == expected


@pytest.mark.parametrize(
    ("base", "href"),
    [
        ("OEBPS", "../../secret.txt"),
        ("", "../x.xhtml"),
        ("OEBPS", "/etc/passwd"),
        ("OEBPS", "..\\..\\windows.ini"),
        ("OEBPS", "file:///etc/passwd"),
        ("OEBPS", "C:/boot.ini"),
        ("OEBPS", "%2e%2e/%2e%2e/x"),
    ],
)
def test_resolve_member_refuses_escapes(base: str, href: str) -> None:
    with pytest.raises(IngestError, match="archive member path escapes the archive"):
        resolve_member(base, href, "book.epub")

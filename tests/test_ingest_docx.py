"""DOCX ingestion: structure comes through; bombs, XXE and non-zips are refused."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import mammoth
import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest import parse_document
from easy_dataset.ingest.archive import ArchiveLimits
from easy_dataset.ingest.docx import parse_docx
from tests.ingest_asserts import expect_error, shape
from tests.ingest_samples import (
    MIB,
    RawEntry,
    docx_bytes,
    replace_member,
    with_raw_entry,
    write,
    zeros_bomb,
)

DOCUMENT_XML = "word/document.xml"


def xxe_document(secret: Path) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>
""".encode()


def test_docx_headings_lists_and_table(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "report.docx", docx_bytes()))
    markdown = parsed.markdown
    assert parsed.format == "docx"
    assert parsed.page_count is None
    for heading in ["# Annual Report", "## Highlights", "### Deep Dive", "## Outlook"]:
        assert re.search(f"^{re.escape(heading)}$", markdown, re.MULTILINE), heading
    assert "This introduction explains what the report covers." in markdown
    assert re.search(r"^- Revenue grew steadily$", markdown, re.MULTILINE)
    assert re.search(r"^- Costs were kept flat$", markdown, re.MULTILINE)
    assert re.search(r"^1\. Hire two engineers$", markdown, re.MULTILINE)
    assert re.search(r"^\| Name \| Score \|$", markdown, re.MULTILINE)
    assert re.search(r"^\| --- \| --- \|$", markdown, re.MULTILINE)
    assert re.search(r"^\| Alice \| 90 \|$", markdown, re.MULTILINE)
    assert shape(parsed.outline) == [
        (1, "Annual Report", [(2, "Highlights", [(3, "Deep Dive", [])]), (2, "Outlook", [])])
    ]


def test_docx_images_are_dropped(tmp_path: Path) -> None:
    markdown = parse_document(write(tmp_path / "report.docx", docx_bytes())).markdown
    assert "base64" not in markdown
    assert "data:" not in markdown
    assert "![" not in markdown


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.docx", b"This is plain text saved with a .docx name.\n")
    expect_error(path, "not a DOCX file (not a zip archive)")


def test_password_protected_docx_is_explained(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    expect_error(write(tmp_path / "locked.docx", ole2), "not a DOCX file", "password")


def test_docx_without_text(tmp_path: Path) -> None:
    expect_error(
        write(tmp_path / "blank.docx", docx_bytes(empty=True)), "no text could be extracted"
    )


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    expect_error(path, "not a DOCX file")


def test_damaged_docx(tmp_path: Path) -> None:
    data = docx_bytes()
    path = write(tmp_path / "broken.docx", data[: len(data) // 2])
    expect_error(path, "the archive is damaged")


def test_docx_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    # 300 MiB of zeros in about 340 KB; the default budget for that size is about 66 MiB.
    data = with_raw_entry(docx_bytes(), zeros_bomb(300))
    assert len(data) < 1 * MIB
    path = write(tmp_path / "bomb.docx", data)
    started = time.perf_counter()
    error = expect_error(path, "(zip bomb?)")
    assert re.search(r"^the archive expands past 6\d(\.\d)? MB \(zip bomb\?\)", error.reason)
    assert time.perf_counter() - started < 5


def test_docx_bomb_with_lying_sizes_stops_at_real_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zeros_bomb(8)
    # The header claims 1 KB; only counting real output (or zipfile's CRC check) can catch it.
    liar = RawEntry("word/media/tiny.bin", bomb.payload, bomb.method, bomb.crc, 1024)
    data = with_raw_entry(docx_bytes(), liar)
    monkeypatch.setattr(mammoth, "convert_to_html", _never_called)
    with pytest.raises(IngestError) as caught:
        parse_docx(data, "liar.docx", ArchiveLimits(ratio_floor_bytes=2 * MIB, max_ratio=1))
    assert "zip bomb" in caught.value.reason or "damaged" in caught.value.reason


def test_docx_bomb_under_injected_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    data = with_raw_entry(docx_bytes(), zeros_bomb(6))
    monkeypatch.setattr(mammoth, "convert_to_html", _never_called)
    limits = ArchiveLimits(max_total_bytes=4 * MIB, ratio_floor_bytes=4 * MIB)
    with pytest.raises(IngestError, match=r"the archive expands past 4 MB \(zip bomb\?\)"):
        parse_docx(data, "bomb.docx", limits)


def test_docx_xxe_is_refused_and_secret_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = write(tmp_path / "secret.txt", b"TOPSECRET-DOCX-42")
    data = replace_member(docx_bytes(), DOCUMENT_XML, xxe_document(secret))
    monkeypatch.setattr(mammoth, "convert_to_html", _never_called)
    error = expect_error(
        write(tmp_path / "evil.docx", data), "DOCTYPE/entity declaration", "possible XXE"
    )
    assert DOCUMENT_XML in error.reason
    assert "TOPSECRET" not in str(error)


def test_docx_xxe_in_utf16_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", b"TOPSECRET-DOCX-16")
    evil = xxe_document(secret).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = replace_member(docx_bytes(), DOCUMENT_XML, evil.encode("utf-16"))
    error = expect_error(write(tmp_path / "evil16.docx", data), "possible XXE")
    assert "TOPSECRET" not in str(error)


def test_docx_xml_in_unscannable_encoding_is_refused(tmp_path: Path) -> None:
    declaration = b'<?xml version="1.0" encoding="cp037"?>'
    body = '<!DOCTYPE x [<!ENTITY e "boom">]><w:document/>'.encode("cp037")
    data = replace_member(docx_bytes(), DOCUMENT_XML, declaration + body)
    expect_error(write(tmp_path / "ebcdic.docx", data), "unsupported encoding 'cp037'")


def test_docx_xxe_in_any_xml_member_is_refused(tmp_path: Path) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    data = replace_member(docx_bytes(), "customXml/item9.xml", evil)
    expect_error(write(tmp_path / "evil.docx", data), "customXml/item9.xml", "possible XXE")


def test_docx_svg_with_plain_doctype_is_fine(tmp_path: Path) -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>'
    )
    data = replace_member(docx_bytes(), "word/media/logo.svg", svg)
    parsed = parse_document(write(tmp_path / "logo.docx", data))
    assert "# Annual Report" in parsed.markdown


def _never_called(*args: object, **kwargs: object) -> object:
    raise AssertionError("mammoth must not see an archive that failed the checks")

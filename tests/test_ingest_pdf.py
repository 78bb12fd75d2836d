"""PDF ingestion: structure, outline, passwords, scans, damage, and silence."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest import parse_document
from easy_dataset.ingest.quiet import silenced
from easy_dataset.types import ParsedDocument
from tests.ingest_asserts import expect_error, shape
from tests.ingest_samples import (
    encrypted_pdf_bytes,
    image_only_pdf_bytes,
    pdf_bytes,
    write,
)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("pdf") / "report.pdf", pdf_bytes())


@pytest.fixture(scope="module")
def parsed_report(report_pdf: Path) -> ParsedDocument:
    return parse_document(report_pdf)


def test_pdf_headings_table_list_and_pages(parsed_report: ParsedDocument) -> None:
    markdown = parsed_report.markdown
    assert parsed_report.format == "pdf"
    assert parsed_report.page_count == 2
    assert re.search(r"^# Quarterly Report$", markdown, re.MULTILINE)
    assert re.search(r"^## Results$", markdown, re.MULTILINE)
    assert re.search(r"^# Appendix$", markdown, re.MULTILINE)
    assert re.search(r"^\|\s*Region\s*\|\s*Sales\s*\|\s*Growth\s*\|$", markdown, re.MULTILINE)
    assert re.search(r"^\|\s*North\s*\|\s*120\s*\|\s*5%\s*\|$", markdown, re.MULTILINE)
    assert re.search(r"^- the north grew fastest$", markdown, re.MULTILINE)
    assert "sales went up, costs went down" in markdown
    assert "Method details live in this appendix." in markdown
    assert "\r" not in markdown and not re.search(r"[ \t]$", markdown, re.MULTILINE)


def test_pdf_outline_comes_from_bookmarks(parsed_report: ParsedDocument) -> None:
    assert shape(parsed_report.outline) == [
        (1, "Report", [(2, "Results table", [(3, "By region", [])])]),
        (1, "Appendix A", []),
    ]


def test_pdf_outline_without_bookmarks_comes_from_headings(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "plain.pdf", pdf_bytes(toc=False)))
    assert shape(parsed.outline) == [
        (1, "Quarterly Report", [(2, "Results", []), (2, "Notes", [])]),
        (1, "Appendix", []),
    ]


def test_encrypted_pdf_without_password(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.pdf", encrypted_pdf_bytes("user-pw", "owner-pw"))
    expect_error(path, "the PDF is encrypted; pass its password")


def test_encrypted_pdf_with_wrong_password(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.pdf", encrypted_pdf_bytes("user-pw", "owner-pw"))
    expect_error(path, "the password does not open this PDF", password="nope")


@pytest.mark.parametrize("password", ["user-pw", "owner-pw"])
def test_encrypted_pdf_with_right_password(tmp_path: Path, password: str) -> None:
    path = write(tmp_path / "locked.pdf", encrypted_pdf_bytes("user-pw", "owner-pw"))
    parsed = parse_document(path, password=password)
    assert parsed.page_count == 2
    assert "# Quarterly Report" in parsed.markdown
    assert re.search(r"\|\s*South\s*\|\s*98\s*\|", parsed.markdown)


def test_password_is_ignored_for_unencrypted_pdf(report_pdf: Path) -> None:
    assert parse_document(report_pdf, password="whatever").page_count == 2


def test_image_only_pdf_needs_vision(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", image_only_pdf_bytes())
    expect_error(path, "the PDF has no text layer (scanned images only)", "vision parsing")


def test_pdf_cut_after_its_header_is_truncated(tmp_path: Path) -> None:
    path = write(tmp_path / "cut.pdf", pdf_bytes()[:60])
    expect_error(path, "the PDF is damaged or truncated")


def test_pdf_cut_before_its_text_is_truncated(tmp_path: Path) -> None:
    data = pdf_bytes()
    # MuPDF repairs this into pages without text: that is damage, not a scan.
    path = write(tmp_path / "cut.pdf", data[: data.index(b"stream")])
    expect_error(path, "the PDF is damaged or truncated", "repair")


def test_pdf_missing_only_its_trailer_is_repaired_and_read(tmp_path: Path) -> None:
    data = pdf_bytes()
    parsed = parse_document(write(tmp_path / "cut.pdf", data[: data.rindex(b"startxref")]))
    assert "# Quarterly Report" in parsed.markdown
    assert parsed.page_count == 2


def test_pdf_with_garbage_after_header_is_damaged(tmp_path: Path) -> None:
    garbage = random.Random(7).randbytes(4000)
    path = write(tmp_path / "garbage.pdf", b"%PDF-1.7\n" + garbage)
    expect_error(path, "the PDF is damaged or truncated")


def test_pdf_extension_without_pdf_header(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.pdf", b"just some text pretending to be a PDF\n")
    expect_error(path, "not a PDF file (no %PDF header)")


def test_pdf_parsing_prints_nothing(report_pdf: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    stream_before = pymupdf._g_out_message
    parse_document(report_pdf)
    with pytest.raises(IngestError):
        parse_document(report_pdf.with_name("missing.pdf"))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
    assert pymupdf._g_out_message is stream_before


def test_failing_pdfs_print_nothing(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    for name, data in [
        ("scan.pdf", image_only_pdf_bytes()),
        ("cut.pdf", pdf_bytes()[:300]),
        ("bad.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8),
    ]:
        with pytest.raises(IngestError):
            parse_document(write(tmp_path / name, data))
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_fresh_process_prints_nothing_while_parsing_pdf(report_pdf: Path) -> None:
    # A new interpreter covers what only happens once: imports and loading the layout model.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from easy_dataset.ingest import parse_document\n"
        "parsed = parse_document(Path(sys.argv[1]))\n"
        "assert '# Quarterly Report' in parsed.markdown, parsed.markdown\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(report_pdf)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_overlapping_silencing_restores_everything_once() -> None:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    stdout, stderr, stream = sys.stdout, sys.stderr, pymupdf._g_out_message
    first, second = silenced(pymupdf), silenced(pymupdf)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sys.stdout is not stdout  # the second user is still parsing
    print("swallowed")
    second.__exit__(None, None, None)
    assert (sys.stdout, sys.stderr, pymupdf._g_out_message) == (stdout, stderr, stream)

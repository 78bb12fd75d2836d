"""The files screen while a file is being read: a "processing…" row with a spinner from the
moment the file is received, through a reload, until it is added or fails with its reason."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.ingest import pdf
from easy_dataset.services import files, projects
from tests.browser import Browser, LiveServer
from tests.ingest_samples import write
from tests.test_ui_files import status_rows, upload

PAGES = 12


def manual_pdf() -> bytes:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open()
    for number in range(1, PAGES + 1):
        page = doc.new_page()
        page.insert_text((72, 90), f"Part {number}", fontsize=20)
        page.insert_text((72, 130), f"Section {number} explains one more idea at length.")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def spinners(page: Browser) -> int:
    table = page.find("upload-status")
    return len(table.find_elements(By.CSS_SELECTOR, "[data-testid='upload-spinner']"))


def test_a_pdf_shows_processing_until_it_is_added(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "Manuals")
    manual = write(tmp_path / "manual.pdf", manual_pdf())
    page.open(f"/projects/{project.id}/files")
    # Hold the PDF parser (PDFs are read one at a time) so "processing" lasts for the test.
    pdf._PDF_LOCK.acquire()
    try:
        upload(page, manual)
        page.wait(lambda: status_rows(page) and status_rows(page)[0][1] == "processing…")
        name, _, detail = status_rows(page)[0]
        assert name == "manual.pdf" and detail.startswith("reading and splitting the file")
        assert spinners(page) == 1
        assert "No files yet" in page.find("files-table").text  # not "No data available"
        # The time spent so far goes up while it runs.
        page.wait(lambda: status_rows(page)[0][2].endswith(("2 s", "3 s", "4 s")), what="time")
        # A reloaded page still shows the file in progress.
        page.open(f"/projects/{project.id}/files")
        page.wait(lambda: status_rows(page) and status_rows(page)[0][1] == "processing…")
        assert spinners(page) == 1
        assert files.list_files(server.core, project.id) == []
    finally:
        pdf._PDF_LOCK.release()
    page.wait(lambda: status_rows(page)[0][1] == "added", timeout=60, what="the file added")
    (stored,) = files.list_files(server.core, project.id)
    chunks = f"{stored.chunk_count} chunk{'' if stored.chunk_count == 1 else 's'}"
    assert status_rows(page)[0] == ["manual.pdf", "added", chunks]
    assert spinners(page) == 0
    # The file table was refreshed without a reload: the file with its page count.
    page.wait(lambda: "manual.pdf" in page.find("files-table").text, what="the file table")
    cells = page.find("files-table").find_elements(By.CSS_SELECTOR, "tbody td")
    assert str(PAGES) in [cell.text for cell in cells]


def test_a_broken_file_ends_as_error_with_its_reason(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "Manuals")
    broken = write(tmp_path / "broken.pdf", b"%PDF-1.7 this is not really a PDF")
    page.open(f"/projects/{project.id}/files")
    pdf._PDF_LOCK.acquire()
    try:
        upload(page, broken)
        page.wait(lambda: status_rows(page) and status_rows(page)[0][1] == "processing…")
    finally:
        pdf._PDF_LOCK.release()
    page.wait(lambda: status_rows(page)[0][1] == "error", timeout=60, what="the error")
    name, _, reason = status_rows(page)[0]
    assert name == "broken.pdf" and "the PDF is damaged or truncated" in reason
    assert spinners(page) == 0


def test_processing_in_chinese(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project = projects.create_project(server.core, "Manuals")
    manual = write(tmp_path / "manual.pdf", manual_pdf())
    page.open("/_ui/language/zh")
    page.open(f"/projects/{project.id}/files")
    pdf._PDF_LOCK.acquire()
    try:
        upload(page, manual)
        page.wait(lambda: status_rows(page) and status_rows(page)[0][1] == "处理中…")
        assert status_rows(page)[0][2].startswith("正在读取并切分文件")
        assert "还没有文件" in page.find("files-table").text
    finally:
        pdf._PDF_LOCK.release()
    page.wait(lambda: status_rows(page)[0][1] == "已添加", timeout=60, what="the file added")

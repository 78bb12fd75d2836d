"""The files screen in a real browser: multi-file upload with a status per file, delete."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import files, projects
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write
from tests.ingest_samples import pdf_bytes
from tests.ingest_samples import write as write_bytes


def upload(page: Browser, *paths: Path) -> None:
    chooser = page.find("files-upload").find_element(By.CSS_SELECTOR, "input[type=file]")
    chooser.send_keys("\n".join(str(path) for path in paths))


def status_rows(page: Browser) -> list[list[str]]:
    table = page.find("upload-status")
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def finished_rows(page: Browser) -> list[list[str]]:
    """Upload rows no longer "processing…" (each file is listed from the moment it arrives)."""
    return [row for row in status_rows(page) if row[1] != "processing…"]


def test_upload_markdown_pdf_duplicate_and_broken(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "Docs")
    folder = tmp_path / "uploads"
    guide = write(folder / "guide.md", GUIDE)
    report = write_bytes(folder / "report.pdf", pdf_bytes())
    copy = write(folder / "again.md", GUIDE)
    broken = write_bytes(folder / "broken.pdf", b"%PDF-1.7 this is not really a PDF")
    page.open(f"/projects/{project.id}/files")
    upload(page, guide, report)
    page.wait(lambda: len(finished_rows(page)) == 2, timeout=60, what="two upload results")
    upload(page, copy, broken)
    page.wait(lambda: len(finished_rows(page)) == 4, timeout=60, what="four upload results")
    rows = {row[0]: row[1:] for row in status_rows(page)}
    stored = {view.name: view for view in files.list_files(server.core, project.id)}
    assert set(stored) == {"guide.md", "report.pdf"}
    chunk_count = stored["guide.md"].chunk_count
    assert rows["guide.md"] == ["added", f"{chunk_count} chunk{'' if chunk_count == 1 else 's'}"]
    assert rows["report.pdf"][0] == "added"
    assert rows["again.md"] == ["duplicate", f"same as file {stored['guide.md'].id}"]
    assert rows["broken.pdf"][0] == "error" and rows["broken.pdf"][1].startswith("broken.pdf:")
    # Stored under generated names inside the project folder, never the client's names.
    names = [p.name for p in (server.core.folder(project.id).root).rglob("*") if p.is_file()]
    assert names and not {"guide.md", "report.pdf"} & set(names)
    page.wait_text("report.pdf")
    table_text = page.find("files-table").text
    assert "pdf" in table_text and "markdown" in table_text


def test_upload_over_the_size_limit_is_refused(page: Browser, tmp_path: Path) -> None:
    # The server of this test has the default 200 MB limit; a second server with a tiny one.
    with LiveServer(tmp_path / "small", max_file_mb=0.001) as small:
        project = projects.create_project(small.core, "Tiny")
        big = write(tmp_path / "big.md", "# Big\n\n" + "words " * 1000)
        page.base = small.url
        page.open(f"/projects/{project.id}/files")
        upload(page, big)
        page.wait_text("Refused")
        assert files.list_files(small.core, project.id) == []


def test_delete_files_after_confirmation(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project = projects.create_project(server.core, "Docs")
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    page.open(f"/projects/{project.id}/files")
    table = page.find("files-table")
    table.find_element(By.CSS_SELECTOR, "tbody .q-checkbox").click()
    page.click("files-delete")
    page.click("confirm-yes")
    page.wait(lambda: not files.list_files(server.core, project.id), what="the file to go")
    page.wait(lambda: "guide.md" not in page.find("files-table").text, what="the table to update")

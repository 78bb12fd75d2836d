"""The chunks screen in a real browser: paging, search, filter, view, edit, split, merge,
delete and re-split."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import chunks, files, projects
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write


def setup_project(server: LiveServer, tmp_path: Path, *, size: int = 60) -> int:
    settings = ChunkSettings(strategy="fixed", size=size, overlap=0)
    project = projects.create_project(server.core, "Guide", chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    return project.id


def chunk_ids(server: LiveServer, project_id: int) -> list[int]:
    return [row.id for row in chunks.list_chunks(server.core, project_id, limit=1000)[1]]


def test_pages_search_and_filter(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project_id = setup_project(server, tmp_path, size=20)
    total = len(chunk_ids(server, project_id))
    assert 10 < total <= 20
    page.open(f"/projects/{project_id}/chunks")
    page.wait(lambda: f"{total} chunks · page 1 of 1" in page.find("chunks-total").text)
    page.choose("chunks-page-size", "10")
    page.wait(lambda: f"{total} chunks · page 1 of 2" in page.find("chunks-total").text)
    assert len(page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='chunk-text-']")) == 10
    page.click_text("2", within="chunks-pager")
    page.wait(lambda: "page 2 of 2" in page.find("chunks-total").text, what="page 2")
    page.type("chunks-search", "package")
    page.wait(lambda: "1 chunk · page 1 of 1" in page.find("chunks-total").text, what="search")
    shown = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='chunk-text-']")
    assert shown and all("package" in element.text for element in shown)
    page.open(f"/projects/{project_id}/chunks?file=999")  # an unknown file: all files
    page.wait(lambda: f"{total} chunks" in page.find("chunks-total").text)


def test_view_edit_split_merge_delete(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project_id = setup_project(server, tmp_path)
    first, second, third = chunk_ids(server, project_id)[:3]
    count = len(chunk_ids(server, project_id))
    page.open(f"/projects/{project_id}/chunks")
    # view as Markdown
    page.click(f"chunk-view-{first}")
    assert page.find("chunk-markdown").find_elements(By.TAG_NAME, "h1")
    page.click_text("Close")
    # edit
    page.click(f"chunk-edit-{first}")
    page.type("chunk-editor", "# Guide\n\nEdited by hand.")
    page.click("chunk-save")
    page.wait(lambda: "Edited by hand." in page.find(f"chunk-text-{first}").text)
    assert chunks.get_chunk(server.core, first).content == "# Guide\n\nEdited by hand."
    # split at an offset
    page.click(f"chunk-split-{first}")
    page.type("chunk-split-offset", "7")
    page.click("chunk-split-go")
    page.wait(lambda: len(chunk_ids(server, project_id)) == count + 1)
    # merge the two halves back
    ids = chunk_ids(server, project_id)
    halves = ids[:2]
    assert chunks.get_chunk(server.core, halves[0]).content == "# Guide"
    page.wait(lambda: page.find(f"chunk-select-{halves[1]}"))
    for chunk_id in halves:
        page.click(f"chunk-select-{chunk_id}")
    page.click("chunks-merge")
    page.wait(lambda: len(chunk_ids(server, project_id)) == len(ids) - 1, what="the merge")
    assert chunks.get_chunk(server.core, first).content == "# Guide\n\nEdited by hand."
    # delete the selected after confirming
    page.wait(lambda: page.find(f"chunk-select-{second}"))
    page.click(f"chunk-select-{second}")
    page.click(f"chunk-select-{third}")
    page.click("chunks-delete")
    page.click("confirm-yes")
    page.wait(lambda: second not in chunk_ids(server, project_id), what="the delete")
    assert third not in chunk_ids(server, project_id)


def test_resplit_a_file(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project_id = setup_project(server, tmp_path)
    before = len(chunk_ids(server, project_id))
    page.open(f"/projects/{project_id}/chunks")
    page.click("chunks-resplit")
    page.choose("chunk-strategy", "markdown")
    page.click("resplit-go")
    page.click("confirm-yes")
    page.wait(lambda: len(chunk_ids(server, project_id)) < before, what="the new chunks")
    view = files.list_files(server.core, project_id)[0]
    assert view.chunking["strategy"] == "markdown"
    made = f"{view.chunk_count} chunk{'' if view.chunk_count == 1 else 's'} ·"
    page.wait(lambda: made in page.find("chunks-total").text)

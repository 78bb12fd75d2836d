"""Names and labels in a real browser: questions name their chunk the way the chunk list
does (file and place, never the database id), "Add a question" picks a chunk by file and
place, counts read "1 chunk" / "2 chunks" (and stay right in Chinese), settings labels are
shown whole and the projects table fits a 1400 px window without a sideways scrollbar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from easy_dataset.services import chunk_labels, chunks, files, generation, projects
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write

OVERFLOWING = """
const out = [];
for (const el of document.querySelectorAll('.q-field__label, .q-checkbox__label, th')) {
  if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1) {
    out.push(el.textContent.trim());
  }
}
return out;
"""


@pytest.fixture
def wide(browser: webdriver.Chrome) -> Iterator[None]:
    """The window 1400 px wide for one test, as it was afterwards."""
    size = browser.get_window_size()
    browser.set_window_size(1400, 900)
    try:
        yield
    finally:
        browser.set_window_size(size["width"], size["height"])


def two_files(server: LiveServer, tmp_path: Path) -> int:
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Labels", chunking=settings)
    notes = GUIDE.replace("Download the installer", "Queens release pheromones")
    paths = [write(tmp_path / "guide.md", GUIDE), write(tmp_path / "notes.md", notes)]
    files.add_files(server.core, project.id, paths)
    return project.id


def test_questions_name_chunks_as_the_chunk_list_does(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid = two_files(server, tmp_path)
    rows = chunks.list_chunks(server.core, pid, limit=1000)[1]
    second = next(row for row in rows if row.file_name == "notes.md" and row.ordinal == 1)
    assert second.id != 2  # the id and the place differ: the label must be the place
    question = generation.add_question(server.core, pid, "What do drones do?", chunk_id=second.id)

    page.open(f"/projects/{pid}/questions")
    meta = page.find(f"question-meta-{question.id}").text
    assert "chunk notes.md · #2" in meta and f"chunk {second.id}" not in meta
    # So does the tree view.
    page.click("qs-tab-tree")
    page.click("tree-untagged")
    page.wait(lambda: "chunk notes.md · #2" in page.find(f"tree-question-meta-{question.id}").text)
    # The chunk list names it the same way.
    page.open(f"/projects/{pid}/chunks?file={second.file_id}")
    page.wait(lambda: "notes.md · #2" in page.text())

    # Add a question: the chunk is picked by file and place, not typed as a hidden id.
    page.open(f"/projects/{pid}/questions")
    page.click("qs-add")
    page.type("question-form-text", "Who guards the entrance?")
    page.choose("question-form-chunk-file", "notes.md")
    page.choose(
        "question-form-chunk",
        chunk_labels.chunk_choices(server.core, pid, second.file_id)[second.id],
    )
    page.click("question-form-save")
    page.wait(lambda: len(generation.list_questions(server.core, pid)) == 2)
    added = next(q for q in generation.list_questions(server.core, pid) if q.id != question.id)
    assert added.chunk_id == second.id
    page.wait(lambda: "chunk notes.md · #2" in page.find(f"question-meta-{added.id}").text)

    # Without a file, no chunk.
    page.click("qs-add")
    page.type("question-form-text", "Is honey sweet?")
    page.click("question-form-save")
    page.wait(lambda: len(generation.list_questions(server.core, pid)) == 3)
    assert [q.chunk_id for q in generation.list_questions(server.core, pid, search="honey")] == [
        None
    ]


def test_counts_read_as_words_in_both_languages(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid = two_files(server, tmp_path)
    total = chunks.list_chunks(server.core, pid, limit=1000)[0]
    page.open(f"/projects/{pid}/chunks")
    page.wait(lambda: f"{total} chunks · page 1 of" in page.find("chunks-total").text)
    page.type("chunks-search", "pheromones")
    page.wait(lambda: "1 chunk · page 1 of 1" in page.find("chunks-total").text)
    generation.add_question(server.core, pid, "What do drones do?")
    page.open(f"/projects/{pid}/questions")
    page.wait(lambda: page.find("qs-total").text.startswith("1 question ·"))
    page.open("/_ui/language/zh")
    page.open(f"/projects/{pid}/questions")
    page.wait(lambda: page.find("qs-total").text.startswith("共 1 个问题"))


def test_labels_whole_and_projects_table_fits(
    page: Browser, server: LiveServer, tmp_path: Path, wide: None
) -> None:
    pid = two_files(server, tmp_path)
    long = "A project about bees, their hives, honey and the people who keep them " * 3
    projects.create_project(
        server.core, "A second project with a rather long name", description=long
    )
    page.open("/")
    page.find("projects-table")
    widths = page.driver.execute_script(
        "const t = document.querySelector('[data-testid=projects-table] .q-table__middle');"
        "return [t.scrollWidth, t.clientWidth];"
    )
    assert widths[0] <= widths[1], f"the projects table scrolls sideways: {widths}"
    for tab in ("models", "chunking", "generation"):
        page.open(f"/projects/{pid}/settings")
        page.click(f"tab-{tab}")
        page.wait(lambda: page.driver.find_elements("css selector", ".q-tab-panel .q-field"))
        cut = page.driver.execute_script(OVERFLOWING)
        assert cut == [], f"labels cut on the {tab} tab: {cut}"

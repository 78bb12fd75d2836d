"""Chunk cards on the chunks screen: Markdown rendered (safely), and a PDF's chunks free of
running headers, page numbers and flattened code."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import chunks, files, projects
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.helpers import write
from tests.ingest_samples import write as write_bytes
from tests.test_ingest_page_furniture import BODY, CODE, reference_pdf

SECTION = (
    "#### 1.2.7 Links\n\n"
    "A **hard link** shares the inode; <b>bold tags</b> stay text.\n\n"
    "```\n$ ln -s target name\n$ ls -l name\n```\n"
)


def test_card_shows_rendered_markdown(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project = projects.create_project(server.core, "Reference")
    files.add_files(server.core, project.id, [write(tmp_path / "links.md", SECTION)])
    [chunk] = chunks.list_chunks(server.core, project.id)[1]
    page.open(f"/projects/{project.id}/chunks")
    card = page.find(f"chunk-text-{chunk.id}")
    assert card.find_element(By.TAG_NAME, "h4").text == "1.2.7 Links"
    assert card.find_element(By.TAG_NAME, "strong").text == "hard link"
    assert card.find_element(By.TAG_NAME, "pre").text == "$ ln -s target name\n$ ls -l name"
    assert "####" not in card.text and "**" not in card.text
    assert "<b>bold tags</b> stay text" in card.text  # HTML in a document is shown, not run
    assert not card.find_elements(By.TAG_NAME, "b")


def test_card_preview_closes_a_cut_code_block(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    long_code = "# Script\n\n```\n" + "\n".join(f"echo line {n}" for n in range(80)) + "\n```\n"
    project = projects.create_project(
        server.core, "Scripts", chunking=ChunkSettings(strategy="markdown")
    )
    files.add_files(server.core, project.id, [write(tmp_path / "script.md", long_code)])
    [chunk] = chunks.list_chunks(server.core, project.id)[1]
    page.open(f"/projects/{project.id}/chunks")
    card = page.find(f"chunk-text-{chunk.id}")
    code = card.find_element(By.TAG_NAME, "pre").text
    assert code.startswith("echo line 0\necho line 1\n") and code.endswith("…")
    assert "```" not in card.text


def test_pdf_chunks_without_headers_page_numbers_or_flat_code(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    # Chunks shorter than a card's preview, so every card shows its whole chunk.
    chunking = ChunkSettings(strategy="markdown", min_chars=50, max_chars=350)
    project = projects.create_project(server.core, "Debian", chunking=chunking)
    pdf = write_bytes(tmp_path / "reference.pdf", reference_pdf())
    [outcome] = files.add_files(server.core, project.id, [pdf])
    assert outcome.status == "added", outcome.error
    total, rows = chunks.list_chunks(server.core, project.id, limit=100)
    page.open(f"/projects/{project.id}/chunks")
    page.wait(lambda: page.find("chunks-total").text.startswith(f"{total} chunks"))
    assert all(len(row.content) <= 400 for row in rows)
    cards = [page.find(f"chunk-text-{row.id}") for row in rows]
    shown = "\n".join(card.text for card in cards)
    assert "Debian Reference" not in shown and "/ 10" not in shown
    assert "<mark>" not in shown
    for sentence in BODY:
        assert sentence in " ".join(shown.split())
    listings = [pre.text for card in cards for pre in card.find_elements(By.TAG_NAME, "pre")]
    assert listings.count("\n".join(CODE)) == 2, listings

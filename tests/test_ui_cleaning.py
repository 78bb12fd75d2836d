"""Chunk cleaning in a real browser: started from the chunks screen, its proposals reviewed
as diffs (document text shown as text), one accepted while an edit typed into another is
kept, leaving with that edit asks first, Reject all stores it, and the chunks screen undoes
the accepted cleaning."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import chunk_cleaning, chunks
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.test_chunk_cleaning_stage import HEAD, QUEEN, WORKERS, make_dirty_project

HOSTILE = "Keepers write <b>notes</b> <img src=x onerror=alert(1)> by hand."


def test_review_accept_reject_and_restore(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        core = server.core
        first, second, _ = make_dirty_project(core, tmp_path, fake.base_url)
        queen = chunks.get_chunk(core, second).content + "\n" + HOSTILE
        chunks.edit_chunk(core, second, queen)
        project_id = chunks.get_chunk(core, first).project_id

        page.open(f"/projects/{project_id}/chunks")

        def review_button() -> str:
            return str(page.find("chunks-cleaning-review").get_attribute("textContent"))

        page.wait(lambda: "Review cleaning (0)" in review_button())
        page.click("chunks-clean")
        page.wait(lambda: "Items: 3" in page.find("estimate-dialog").text, what="the estimate")
        page.click("confirm-yes")
        page.wait(
            lambda: "Review cleaning (2)" in review_button(),
            timeout=30,
            what="the job's proposals",
        )
        # Proposed only: the chunks have their text still.
        assert chunks.get_chunk(core, second).content == queen

        page.click("chunks-cleaning-review")
        page.wait(lambda: "2 proposals waiting" in page.find("cleaning-total").text)
        diff = page.find(f"cleaning-diff-{first}")
        removed = [e.text for e in diff.find_elements(By.CSS_SELECTOR, "[data-op=delete]")]
        assert any(HEAD in text for text in removed) and any("12" in text for text in removed)
        other = page.find(f"cleaning-diff-{second}")
        assert HOSTILE in other.text and not other.find_elements(By.TAG_NAME, "img")
        assert page.alerts() == []

        # Type into the second proposal, then accept the first: the typing stays.
        page.click(f"cleaning-edit-{second}")
        mine = QUEEN.replace("## The queen", "## The queen bee") + "\n" + HOSTILE
        page.paste(f"cleaning-text-{second}", mine)
        page.click(f"cleaning-accept-{first}")
        page.wait(lambda: chunks.get_chunk(core, first).content == WORKERS, what="the accept")
        page.wait(
            lambda: (
                not page.driver.find_elements(By.CSS_SELECTOR, f"[data-testid=cleaning-{first}]")
            ),
            what="the accepted card to go",
        )
        assert page.field(f"cleaning-text-{second}").get_attribute("value") == mine
        assert page.driver.execute_script("return window.easyDatasetUnsaved") is True

        # Leaving asks first; staying keeps the edit.
        page.click("cleaning-back")
        page.click("unsaved-stay")
        assert page.field(f"cleaning-text-{second}").get_attribute("value") == mine

        page.click("cleaning-reject-all")
        page.click("confirm-yes")
        page.find("cleaning-none")
        decided = chunk_cleaning.get_proposal(core, project_id, second)
        assert (decided.status, decided.proposed, decided.edited) == ("rejected", mine, True)
        assert chunks.get_chunk(core, second).content == queen
        assert page.driver.execute_script("return window.easyDatasetUnsaved") is False

        # The chunks screen undoes the accepted cleaning.
        page.click("cleaning-back")
        page.click(f"chunk-restore-{first}")
        page.click("confirm-yes")
        page.wait(lambda: chunks.get_chunk(core, first).content != WORKERS, what="the restore")
        assert HEAD in chunks.get_chunk(core, first).content
        page.wait(
            lambda: (
                not page.driver.find_elements(
                    By.CSS_SELECTOR, f"[data-testid=chunk-restore-{first}]"
                )
            ),
            what="the restore button to go",
        )
        assert page.alerts() == []

"""The QA review screen in a real browser: filters narrow the list and its total, pages move
by keyset, and the detail view edits, confirms, rates, tags, notes, steps through the
filtered list and revises an answer with the fake OpenAI server."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import chunks, files, generation, models, projects
from easy_dataset.store.dataset import QAPair
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.helpers import GUIDE, write

PAIRS = 25
NOTES = "# Notes\n\nA second document about **bees** and honey.\n"


def seed(server: LiveServer, tmp_path: Path, base_url: str = "http://127.0.0.1:9/v1") -> int:
    """A project with two files and PAIRS QA pairs: every third confirmed, every even one
    with reasoning, scores 0..4 on all but every fifth, a reviewer tag on every fourth;
    pairs 20.. come from the second file."""
    settings = ChunkSettings(strategy="fixed", size=60, overlap=0)
    project = projects.create_project(server.core, "Review", chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    files.add_files(server.core, project.id, [write(tmp_path / "notes.md", NOTES)])
    _, rows = chunks.list_chunks(server.core, project.id, limit=1000)
    guide = [row for row in rows if row.file_name == "guide.md"]
    notes = [row for row in rows if row.file_name == "notes.md"]
    with server.core.db.session() as session:
        for n in range(PAIRS):
            chunk = notes[0] if n >= 20 else guide[n % len(guide)]
            session.add(
                QAPair(
                    project_id=project.id,
                    chunk_id=chunk.id,
                    question=f"Question {n} about the guide?",
                    answer=f"Answer number {n}.",
                    cot=f"Reasoning {n}." if n % 2 == 0 else "",
                    model="fake-model",
                    confirmed=n % 3 == 0,
                    score=None if n % 5 == 4 else float(n % 5),
                    user_tags=["keep"] if n % 4 == 0 else [],
                    provenance={"file": chunk.file_name},
                )
            )
    config = ModelConfig(
        name="fake", provider="custom", base_url=base_url, model="fake-model", concurrency=1
    )
    models.add_model(server.core, project.id, config)
    return project.id


def ids(server: LiveServer, project_id: int, **filters: object) -> list[int]:
    return [row.id for row in generation.list_qa(server.core, project_id, limit=100, **filters)]


def shown(page: Browser) -> list[int]:
    cards = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='qa-row-']")
    return [int(str(card.get_attribute("data-testid")).rsplit("-", 1)[1]) for card in cards]


def total_is(page: Browser, text: str) -> None:
    page.wait(lambda: page.find("qa-total").text.startswith(text), what=f"the total {text!r}")


def test_filters_narrow_the_list_and_the_total(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    every = ids(server, project_id)
    page.open(f"/projects/{project_id}/qa")
    total_is(page, f"{PAIRS} QA pairs · page 1 of 2")
    page.wait(lambda: shown(page) == every[:20], what="the first page")
    # keyset pages: next, previous
    page.click_text("2", within="qa-pager")
    page.wait(lambda: shown(page) == every[20:], what="page 2")
    total_is(page, f"{PAIRS} QA pairs · page 2 of 2")
    page.click_text("1", within="qa-pager")
    page.wait(lambda: shown(page) == every[:20], what="page 1 again")
    # status
    page.choose("qa-status", "Confirmed")
    confirmed = ids(server, project_id, confirmed=True)
    total_is(page, f"{len(confirmed)} QA pairs · page 1 of 1")
    page.wait(lambda: shown(page) == confirmed)
    assert "status=confirmed" in page.driver.current_url
    # plus a score range
    page.type("qa-min-score", "2")
    narrowed = ids(server, project_id, confirmed=True, min_score=2)
    total_is(page, f"{len(narrowed)} QA pairs")
    page.wait(lambda: shown(page) == narrowed)
    page.choose("qa-status", "All")
    page.type("qa-max-score", "2")
    two = ids(server, project_id, min_score=2, max_score=2)
    total_is(page, f"{len(two)} QA pairs")
    page.wait(lambda: shown(page) == two)
    # a fresh page from an address carrying filters: tag and reasoning
    page.open(f"/projects/{project_id}/qa?tag=KEEP")
    tagged = ids(server, project_id, tag="keep")
    total_is(page, f"{len(tagged)} QA pairs")
    page.wait(lambda: shown(page) == tagged)
    page.choose("qa-cot", "Without reasoning")
    assert ids(server, project_id, tag="keep", has_cot=False) == []
    total_is(page, "0 QA pairs")
    page.find("qa-none")
    page.choose("qa-cot", "With reasoning")
    total_is(page, f"{len(tagged)} QA pairs")
    # text search and file
    page.open(f"/projects/{project_id}/qa")
    page.type("qa-search", "number 1")
    searched = ids(server, project_id, search="number 1")
    assert len(searched) == 11  # 1 and 10..19
    total_is(page, f"{len(searched)} QA pairs")
    page.wait(lambda: shown(page) == searched)
    page.type("qa-search", "")
    page.choose("qa-file", "notes.md")
    total_is(page, "5 QA pairs")
    page.wait(lambda: shown(page) == every[20:])
    # batch confirm on the filtered page
    page.click(f"qa-select-{every[21]}")
    page.click(f"qa-select-{every[22]}")
    page.click("qa-confirm-selected")
    page.wait(lambda: generation.get_qa(server.core, project_id, every[22]).confirmed)
    assert generation.get_qa(server.core, project_id, every[21]).confirmed
    page.wait(lambda: page.find(f"qa-badge-{every[22]}").text == "confirmed")


def test_detail_edit_confirm_rate_tag_note_and_step(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    confirmed = ids(server, project_id, confirmed=True)
    first = confirmed[1]
    page.open(f"/projects/{project_id}/qa?status=confirmed")
    page.click(f"qa-open-{first}")
    page.wait(lambda: f"/qa/{first}?status=confirmed" in page.driver.current_url)
    detail = generation.get_qa(server.core, project_id, first)
    assert detail.chunk is not None
    chunk_text = page.find("qa-chunk").text
    assert detail.chunk.content.splitlines()[-1].strip("# ") in chunk_text
    # edit answer and reasoning
    page.type("qa-edit-answer", "A better answer.")
    page.type("qa-edit-cot", "Think first.")
    page.click("qa-save")
    page.wait(
        lambda: generation.get_qa(server.core, project_id, first).answer == "A better answer."
    )
    view = generation.get_qa(server.core, project_id, first)
    assert view.cot == "Think first." and "edited" in view.provenance
    # an empty answer is refused with a notice and nothing changes
    page.type("qa-edit-answer", " ")
    page.click("qa-save")
    page.wait_text("the answer may not be empty")
    assert generation.get_qa(server.core, project_id, first).answer == "A better answer."
    # (un-)confirming saves the edits first, so it waits for an answer that can be stored
    page.type("qa-edit-answer", "A better answer.")
    # un-confirm, confirm
    page.click("qa-confirm")
    page.wait(lambda: not generation.get_qa(server.core, project_id, first).confirmed)
    page.wait(lambda: page.find("qa-status-badge").text == "not confirmed")
    page.click("qa-confirm")
    page.wait(lambda: generation.get_qa(server.core, project_id, first).confirmed)
    # rate 4 stars, then clear
    stars = page.find("qa-rating").find_elements(By.CSS_SELECTOR, ".q-rating__icon-container")
    assert len(stars) == 5
    stars[3].click()
    page.wait(lambda: generation.get_qa(server.core, project_id, first).score == 4)
    page.wait(lambda: page.find("qa-score").text == "score 4")
    page.click("qa-rating-clear")
    page.wait(lambda: generation.get_qa(server.core, project_id, first).score is None)
    # reviewer tags: add two, remove one
    for name in ("needs-check", "faq"):
        page.type("qa-tag-input", name)
        page.click("qa-tag-add")
        page.wait(
            lambda name=name: name in generation.get_qa(server.core, project_id, first).user_tags
        )
    page.find("qa-tag-0").find_element(By.CSS_SELECTOR, ".q-chip__icon--remove").click()
    page.wait(lambda: generation.get_qa(server.core, project_id, first).user_tags == ["faq"])
    page.wait(lambda: "needs-check" not in page.find("qa-tags").text)
    # a note
    page.type("qa-note", "Check the install steps.")
    page.click("qa-note-save")
    page.wait(
        lambda: generation.get_qa(server.core, project_id, first).note == "Check the install steps."
    )
    # previous / next within the confirmed pairs (each enabled once the neighbours are known)
    page.wait(lambda: page.find("qa-next").is_enabled(), what="next enabled")
    page.click("qa-next")
    page.wait(lambda: f"/qa/{confirmed[2]}?status=confirmed" in page.driver.current_url)
    page.find("qa-chunk")
    page.wait(lambda: page.find("qa-prev").is_enabled(), what="previous enabled")
    page.click("qa-prev")
    page.wait(lambda: f"/qa/{first}?status=confirmed" in page.driver.current_url)
    page.wait(lambda: page.find("qa-prev").is_enabled(), what="previous enabled")
    page.click("qa-prev")
    page.wait(lambda: f"/qa/{confirmed[0]}?status=confirmed" in page.driver.current_url)
    page.wait(lambda: page.find("qa-next").is_enabled())
    assert not page.find("qa-prev").is_enabled()  # the first confirmed pair
    page.click("qa-back")
    page.wait(
        lambda: page.driver.current_url.endswith(f"/projects/{project_id}/qa?status=confirmed")
    )
    total_is(page, f"{len(confirmed)} QA pairs")
    page.open(f"/projects/{project_id}/qa/999999")
    assert "no QA pair 999999" in page.find("qa-missing").text


def test_revise_with_advice(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        project_id = seed(server, tmp_path, fake.base_url)
        qa_id = ids(server, project_id)[0]
        before = generation.get_qa(server.core, project_id, qa_id).answer
        page.open(f"/projects/{project_id}/qa/{qa_id}")
        page.type("qa-advice", "Mention the package manager.")
        page.click("qa-revise")
        revised = page.find("qa-revised", timeout=30).text
        after = generation.get_qa(server.core, project_id, qa_id)
        assert after.answer != before and after.answer.strip() == revised.strip()
        assert page.field("qa-edit-answer").get_attribute("value") == after.answer
        assert after.provenance["revisions"][0]["advice"] == "Mention the package manager."
        assert fake.stats().total >= 1

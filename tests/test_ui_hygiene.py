"""Junk generated text in a real browser: the hygiene check started from the quality screen
repairs stray quotes, HTML wrappers and leaked tags in the pairs, and flags the instruction
posing as a question, which the QA list filters on and the pair's page explains."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from easy_dataset.services import generation, projects
from easy_dataset.services.job_support import common
from easy_dataset.services.stages import run_stage
from tests.browser import Browser, LiveServer
from tests.test_generate_support import make_project
from tests.test_hygiene import INSTRUCTION, JUNK_PAIRS, JunkClient
from tests.test_ui_quality import run_from_screen, seed, shown


def test_hygiene_from_the_screen_repairs_and_flags(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid, ids = seed(server, tmp_path, JUNK_PAIRS)
    page.open(f"/projects/{pid}/quality")
    page.find("quality-card-hygiene")
    run_from_screen(page, "hygiene", 1)

    # The list filtered on the hygiene flag, chosen in the page, shows the instruction only.
    page.open(f"/projects/{pid}/qa")
    page.wait(lambda: shown(page) == ids)
    page.click("qa-flagged")
    page.click_text("Text hygiene", menu=True)
    page.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    page.wait(lambda: shown(page) == [ids[1]], what="only the instruction posing as a question")
    assert "flag=hygiene" in page.driver.current_url

    # Its page says why; a repaired pair's page shows the repaired text and what was done.
    page.open(f"/projects/{pid}/qa/{ids[1]}")
    page.wait(lambda: "an instruction, not a question" in page.find("qa-quality-hygiene").text)
    page.open(f"/projects/{pid}/qa/{ids[2]}")
    page.wait(lambda: "HTML wrapper" in page.find("qa-quality-hygiene").text)
    answer = page.field("qa-edit-answer").get_attribute("value")
    assert answer == "Drones mate with young queens."
    pairs = {qa.id: qa for qa in generation.list_qa(server.core, pid)}
    assert pairs[ids[0]].question == "How long does a worker bee live?"
    assert pairs[ids[3]].answer == "The queen."
    assert pairs[ids[1]].question == INSTRUCTION  # flagged, never rewritten by a guess


def test_questions_screen_shows_what_generation_flagged(
    page: Browser, server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(server.core, tmp_path, "http://127.0.0.1:9/v1")
    generation.update_generation_settings(server.core, project, tags_enabled=False)
    client = JunkClient()
    client.config = common.open_project_model(server.core, project, {}).config
    monkeypatch.setattr(common, "open_project_model", lambda *_: client)
    assert run_stage(server.core, project, "questions.generate").status == "succeeded"
    pid = projects.get_project(server.core, project).id
    made = {q.text: q.id for q in generation.list_questions(server.core, pid)}
    assert set(made) == {
        INSTRUCTION,
        "How long does a worker bee live?",  # stored repaired
        "What do foragers carry home?",
    }

    page.open(f"/projects/{pid}/questions")
    flag = page.find(f"question-flag-{made[INSTRUCTION]}")
    assert flag.text.lower() == "flagged: an instruction, not a question"
    page.find(f"question-meta-{made['What do foragers carry home?']}")
    assert not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='question-flag-']")[1:]

    # An edit that makes it a question clears the flag.
    generation.edit_question(server.core, pid, made[INSTRUCTION], text="What does the queen do?")
    page.open(f"/projects/{pid}/questions")
    page.find(f"question-meta-{made[INSTRUCTION]}")
    assert not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='question-flag-']")

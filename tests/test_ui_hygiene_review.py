"""The hygiene check and the reviewer, in a real browser: a scan started from the Quality
screen keeps an answer about HTML's `<output>` element as written and leaves a confirmed
pair's text alone (flagging the repair it would make), and an edit saved on a pair's page
that fixes what hygiene flagged clears the flag on the page at once and in the QA list."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import generation, quality
from tests.browser import Browser, LiveServer
from tests.test_hygiene import (
    CONTENT_QUESTION,
    INSTRUCTION,
    JUNK_PAIRS,
    OUTPUT_ANSWER,
    XML_COT,
)
from tests.test_ui_quality import run_from_screen, seed, shown


def test_scan_from_the_screen_keeps_content_tags_and_confirmed_text(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    junk_question, junk_answer = JUNK_PAIRS[0]  # "How long does a worker bee live?',"
    pid, (content, confirmed, loose) = seed(
        server,
        tmp_path,
        [(CONTENT_QUESTION, OUTPUT_ANSWER), (junk_question, junk_answer), JUNK_PAIRS[3]],
    )
    generation.edit_qa(server.core, pid, content, cot=XML_COT)
    generation.confirm_qa(server.core, pid, [content, confirmed])

    page.open(f"/projects/{pid}/quality")
    run_from_screen(page, "hygiene", 1)

    # The answer about <output> and the XML reasoning are on the page as written.
    page.open(f"/projects/{pid}/qa/{content}")
    page.find("qa-quality-none")
    assert page.field("qa-edit-answer").get_attribute("value") == OUTPUT_ANSWER
    assert page.field("qa-edit-cot").get_attribute("value") == XML_COT
    assert not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid='qa-quality-hygiene']")

    # The confirmed pair keeps its text; the page says a repair waits for the reviewer.
    page.open(f"/projects/{pid}/qa/{confirmed}")
    page.wait(
        lambda: "confirmed, so left for a reviewer" in page.find("qa-quality-hygiene").text,
        what="the held repair on the confirmed pair",
    )
    assert page.field("qa-edit-question").get_attribute("value") == junk_question

    # The unconfirmed pair with a leaked tag is repaired, as before.
    page.open(f"/projects/{pid}/qa/{loose}")
    page.wait(lambda: "leaked tags" in page.find("qa-quality-hygiene").text)
    assert page.field("qa-edit-answer").get_attribute("value") == "The queen."

    # Only the confirmed pair is in the list filtered on the hygiene flag.
    page.open(f"/projects/{pid}/qa?flag=hygiene")
    page.wait(lambda: shown(page) == [confirmed], what="only the confirmed junk pair")


def test_an_edit_on_the_pair_page_clears_its_hygiene_flag(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid, ids = seed(server, tmp_path, JUNK_PAIRS)
    assert quality.run_check(server.core, pid, "hygiene").status == "succeeded"
    flagged = ids[1]  # the instruction posing as a question

    page.open(f"/projects/{pid}/qa/{flagged}")
    page.wait(lambda: "an instruction, not a question" in page.find("qa-quality-hygiene").text)
    assert page.field("qa-edit-question").get_attribute("value") == INSTRUCTION
    page.type("qa-edit-question", "What do bees eat?")
    page.click("qa-save")
    # The page's quality card is read again: the flag the edit fixed is gone at once.
    page.find("qa-quality-none")
    assert generation.get_qa(server.core, pid, flagged).question == "What do bees eat?"

    # Nothing is left under the hygiene flag, and the pair's page shows no hygiene result.
    page.open(f"/projects/{pid}/qa?flag=hygiene")
    page.find("qa-none")
    assert shown(page) == []
    page.open(f"/projects/{pid}/qa/{flagged}")
    page.find("qa-quality-none")
    assert page.field("qa-edit-question").get_attribute("value") == "What do bees eat?"
    assert not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid='qa-quality-hygiene']")

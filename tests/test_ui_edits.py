"""Edits are never lost in a real browser: on a QA pair, CONFIRM saves the edited texts with
the confirmation; previous / next, the back link, the header's links and the language toggle
ask (save, discard or stay) while anything is unsaved; reloading or closing the tab is
warned by `beforeunload`. A pair's edited question is what the Questions list shows. The
export form keeps every choice across a language switch and a reload. The settings forms
and the chunk editor ask before leaving too."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from easy_dataset.services import chunks, generation, projects
from easy_dataset.store.dataset import QAPair
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.test_ui_qa import ids, seed

# Dispatches the event the browser sends before it unloads the page (reload, closing the
# tab, typing an address); True when the page asked the browser to warn.
WOULD_WARN = """
const event = new Event('beforeunload', {cancelable: true});
window.dispatchEvent(event);
return event.defaultPrevented;
"""


def value(page: Browser, testid: str) -> str:
    return str(page.field(testid).get_attribute("value"))


def would_warn(page: Browser) -> bool:
    return bool(page.driver.execute_script(WOULD_WARN))


def test_confirm_saves_the_edit_and_a_reload_shows_it(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    qa_id = ids(server, project_id, confirmed=False)[0]
    page.open(f"/projects/{project_id}/qa/{qa_id}")
    page.type("qa-edit-question", "What does the guide install first?")
    page.type("qa-edit-cot", "Read the first step.")
    page.click("qa-confirm")  # no SAVE first
    page.wait(lambda: generation.get_qa(server.core, project_id, qa_id).confirmed)
    stored = generation.get_qa(server.core, project_id, qa_id)
    assert (stored.question, stored.cot, stored.confirmed) == (
        "What does the guide install first?",
        "Read the first step.",
        True,
    )
    page.wait_text("Saved and confirmed")
    assert page.find("qa-status-badge").text == "confirmed"
    assert not would_warn(page)  # everything is stored
    page.open(f"/projects/{project_id}/qa/{qa_id}")
    assert value(page, "qa-edit-question") == "What does the guide install first?"
    assert page.find("qa-status-badge").text == "confirmed"
    # An edit that cannot be stored confirms nothing either.
    page.type("qa-edit-answer", " ")
    page.click("qa-confirm")  # un-confirm with an empty answer
    page.wait_text("the answer may not be empty")
    assert generation.get_qa(server.core, project_id, qa_id).confirmed
    assert page.find("qa-status-badge").text == "confirmed"


def test_leaving_with_unsaved_edits_asks_first(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    every = ids(server, project_id)
    first, second = every[0], every[1]
    original = generation.get_qa(server.core, project_id, first).answer
    page.open(f"/projects/{project_id}/qa/{first}")
    assert not would_warn(page)
    page.type("qa-edit-answer", "An answer I am still writing.")
    page.wait(lambda: would_warn(page), what="the reload warning")  # reload, close, address
    # Next: stay keeps the edit on the page.
    page.wait(lambda: page.find("qa-next").is_enabled())
    page.click("qa-next")
    page.find("unsaved-dialog")
    page.click("unsaved-stay")
    page.wait(
        lambda: not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid=unsaved-dialog]")
    )
    assert f"/qa/{first}" in page.driver.current_url
    assert value(page, "qa-edit-answer") == "An answer I am still writing."
    # Next again: save and go on.
    page.click("qa-next")
    page.click("unsaved-save")
    page.wait(lambda: f"/qa/{second}" in page.driver.current_url, what="the next pair")
    assert generation.get_qa(server.core, project_id, first).answer == (
        "An answer I am still writing."
    )
    # On the next pair: an unsaved note, then the back link; discard goes without saving.
    page.find("qa-chunk")
    before = generation.get_qa(server.core, project_id, second)
    page.type("qa-note", "A note I never saved.")
    page.wait(lambda: would_warn(page), what="the reload warning for the note")
    page.click("qa-back")
    page.click("unsaved-discard")
    page.wait(lambda: page.driver.current_url.endswith(f"/projects/{project_id}/qa"))
    assert generation.get_qa(server.core, project_id, second).note == before.note
    # The header's links and the language toggle ask too.
    page.open(f"/projects/{project_id}/qa/{first}")
    page.type("qa-edit-question", "A question I am still writing?")
    page.wait(lambda: would_warn(page))
    page.click("nav-export")
    page.click("unsaved-stay")
    assert f"/qa/{first}" in page.driver.current_url
    page.click("language-toggle")
    page.click("unsaved-save")
    page.wait_text("问答对")
    page.wait(lambda: f"/qa/{first}" in page.driver.current_url)
    assert value(page, "qa-edit-question") == "A question I am still writing?"
    assert original != generation.get_qa(server.core, project_id, first).answer


def test_edited_question_shows_in_the_questions_list(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    qa_id = ids(server, project_id)[0]
    question = generation.add_question(server.core, project_id, "How do I install it?")
    with server.core.db.session() as session:
        row = session.get(QAPair, qa_id)
        assert row is not None
        row.question_id, row.question = question.id, question.text
    page.open(f"/projects/{project_id}/qa/{qa_id}")
    page.type("qa-edit-question", "How do I install the tool on Debian?")
    page.click("qa-save")
    page.wait(
        lambda: (
            generation.get_qa(server.core, project_id, qa_id).question
            == "How do I install the tool on Debian?"
        )
    )
    page.open(f"/projects/{project_id}/questions")
    page.wait_text("How do I install the tool on Debian?")
    assert "How do I install it?" not in page.text()


def test_export_form_survives_language_switch_and_reload(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    confirmed = generation.count_qa(server.core, project_id, confirmed=True, min_score=1)
    every = generation.count_qa(server.core, project_id)
    assert 0 < confirmed < every
    page.open(f"/projects/{project_id}/export")
    page.wait(lambda: page.find("export-count").text == f"{every} QA pairs will be exported")
    page.choose("export-format", "sharegpt")
    page.choose("export-cot", "Leave out")
    page.click("export-confirmed")
    page.type("export-min-score", "1")
    page.type("export-system", "You are a careful assistant.")
    page.wait(lambda: page.find("export-count").text == f"{confirmed} QA pairs will be exported")
    page.wait(lambda: "system=You" in page.find("export-url").text, what="the system prompt")
    url = page.find("export-url").text
    address = page.driver.current_url
    assert "confirmed_only=true" in address and "system=You" in address
    page.click("language-toggle")
    page.wait(lambda: page.find("export-count").text == f"将导出 {confirmed} 个问答对")
    assert 'aria-checked="true"' in str(page.find("export-confirmed").get_attribute("outerHTML"))
    assert page.find("export-format").text.endswith("sharegpt")
    assert value(page, "export-min-score") == "1"
    assert value(page, "export-system") == "You are a careful assistant."
    assert page.find("export-url").text == url  # the download holds the same pairs
    page.driver.refresh()
    page.wait(lambda: page.driver.execute_script("return window.did_handshake === true"))
    page.wait(lambda: page.find("export-count").text == f"将导出 {confirmed} 个问答对")
    assert page.find("export-url").text == url
    # Back to English from the reloaded page: still the same form.
    page.click("language-toggle")
    page.wait(lambda: page.find("export-count").text == f"{confirmed} QA pairs will be exported")
    assert page.find("export-url").text == url
    assert projects.get_project(server.core, project_id).id == project_id


def test_settings_forms_and_the_chunk_editor_ask_before_leaving(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    page.open(f"/projects/{project_id}/settings")
    page.click("tab-generation")
    page.type("generation-density", "700")
    page.wait(lambda: would_warn(page), what="the reload warning on settings")
    page.click("nav-chunks")
    page.click("unsaved-save")  # saves the generation form, then goes on
    page.wait(lambda: page.driver.current_url.endswith(f"/projects/{project_id}/chunks"))
    settings = generation.get_generation_settings(server.core, project_id)
    assert settings.chars_per_question == 700
    # A saved form leaves without a question.
    page.open(f"/projects/{project_id}/settings")
    page.click("tab-generation")
    assert value(page, "generation-density") == "700"
    assert not would_warn(page)
    # The chunk editor: Esc and a click beside it keep it open (the page behind it cannot be
    # reached), and a reload or closing the tab is warned.
    page.open(f"/projects/{project_id}/chunks")
    first = chunks.list_chunks(server.core, project_id, limit=1)[1][0]
    page.click(f"chunk-edit-{first.id}")
    page.type("chunk-editor", "Text I am still writing.")
    page.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    backdrop = page.driver.find_element(By.CSS_SELECTOR, ".q-dialog__backdrop")
    page.driver.execute_script("arguments[0].click()", backdrop)
    page.wait(lambda: would_warn(page), what="the reload warning in the chunk editor")
    assert value(page, "chunk-editor") == "Text I am still writing."
    # Cancel discards on purpose, and nothing is left to warn about.
    page.click_text("Cancel")
    page.wait(lambda: not would_warn(page), what="no warning after Cancel")
    assert chunks.get_chunk(server.core, first.id).content == first.content


def test_revise_keeps_the_edited_question(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id = seed(server, tmp_path, fake.base_url)
        qa_id = ids(server, project_id)[0]
        page.open(f"/projects/{project_id}/qa/{qa_id}")
        page.type("qa-edit-question", "How is the tool of the guide installed?")
        page.type("qa-advice", "Mention the package manager.")
        page.click("qa-revise")
        revised = page.find("qa-revised", timeout=30).text
        stored = generation.get_qa(server.core, project_id, qa_id)
        assert stored.question == "How is the tool of the guide installed?"
        assert stored.answer.strip() == revised.strip()
        assert value(page, "qa-edit-question") == stored.question
        assert value(page, "qa-edit-answer") == stored.answer
        # The model was asked the edited question.
        assert any(
            "How is the tool of the guide installed?" in str(call) for call in fake.stats().log
        )
        assert not would_warn(page)


def test_language_switch_keeps_the_review_filters(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    confirmed = ids(server, project_id, confirmed=True)
    page.open(f"/projects/{project_id}/qa")
    page.choose("qa-status", "Confirmed")
    page.wait(lambda: page.find("qa-total").text.startswith(f"{len(confirmed)} QA pairs"))
    page.click("language-toggle")
    page.wait(lambda: page.find("qa-total").text.startswith(f"共 {len(confirmed)} 个问答对"))
    assert "status=confirmed" in page.driver.current_url

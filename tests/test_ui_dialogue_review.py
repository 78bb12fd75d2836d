"""A dialogue on its sample page: its turns beside the chunk; edit and save a turn, delete
the last turn (an unsaved edit is stored first), regenerate from the first turn."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.services import generation
from tests.browser import Browser, LiveServer
from tests.fake_kinds.dialogue import FOLLOW_UPS
from tests.fake_openai import FakeOpenAI
from tests.test_dialogue_review import seed_dialogues


def test_edit_delete_and_regenerate_a_dialogue(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        core = server.core
        qa_id = seed_dialogues(core, tmp_path, fake.base_url)
        project_id = generation.get_qa(core, "bees", qa_id).project_id

        def stored() -> list[str]:
            return [turn.content for turn in generation.get_qa(core, "bees", qa_id).messages or []]

        page.open(f"/projects/{project_id}/qa")
        page.find(f"qa-dialogue-{qa_id}")  # the list marks a dialogue
        page.open(f"/projects/{project_id}/qa/{qa_id}")
        page.find("qa-chunk")
        assert "An inspection visit" in page.find("dialogue-scenario").text
        assert page.field("dialogue-turn-1-content").get_attribute("value") == stored()[1]
        assert not page.driver.find_elements("css selector", "[data-testid=qa-revise-panel]")
        assert not page.driver.find_elements("css selector", "[data-testid=qa-edit-answer]")

        page.type("dialogue-turn-1-content", "How do I find the queen?")
        page.click("dialogue-turn-1-save")
        page.wait(lambda: stored()[1] == "How do I find the queen?", what="the turn saved")
        assert generation.get_qa(core, "bees", qa_id).question == "How do I find the queen?"

        # An edit not saved yet is stored before the last turn goes.
        page.type("dialogue-turn-3-content", "And the drones?")
        page.click("dialogue-delete-last")
        page.click("confirm-yes")
        page.wait(lambda: len(stored()) == 5, what="the last turn deleted")
        assert stored()[3] == "And the drones?"
        page.wait(
            lambda: not page.driver.find_elements("css selector", "[data-testid=dialogue-turn-5]")
        )

        # Under the page's fixed header a button takes no click: bring it to the middle.
        button = page.find("dialogue-turn-1-regenerate")
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        page.click("dialogue-turn-1-regenerate")
        page.click("confirm-yes")
        page.wait(lambda: stored()[1] == FOLLOW_UPS[0], timeout=30, what="the dialogue rewritten")
        page.wait(
            lambda: page.field("dialogue-turn-1-content").get_attribute("value") == FOLLOW_UPS[0],
            what="the page showing the new turns",
        )
        regenerations = generation.get_qa(core, "bees", qa_id).provenance["regenerations"]
        assert regenerations[0]["previous"][0]["content"] == "How do I find the queen?"
        assert page.driver.execute_script("return window.easyDatasetUnsaved") is False

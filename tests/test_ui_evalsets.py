"""The evaluation sets screen in a real browser: a set's items shown, one edited in its
dialog (options and answer) and saved, then confirmed."""

from __future__ import annotations

from easy_dataset.services import projects
from easy_dataset.services.evaluation import items, sets
from tests.browser import Browser, LiveServer

HOSTILE = "<img src=x onerror=alert(1)>"


def test_edit_an_item_and_see_it_saved(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "bees")
    sets.create_set(server.core, project.id, "exam")
    item = items.add_item(
        server.core, project.id, "exam", kind="single_choice", question="Who lays eggs?",
        options=["Queen", HOSTILE], answer="A",
    )  # fmt: skip
    page.open(f"/projects/{project.id}/evalsets")
    page.wait(lambda: page.find(f"evalset-question-{item.id}").text == "Who lays eggs?")
    assert HOSTILE in page.text() and not page.alerts()  # shown as text, never run
    page.click(f"evalset-edit-{item.id}")
    page.type("evalset-edit-question", "Who lays the eggs in a hive?")
    page.type("evalset-edit-options", "Queen\nDrone\nWorker")
    page.type("evalset-edit-answer", "Z")
    page.click("evalset-edit-save")
    page.wait_text("names options by letter (ABC)")  # refused: nothing saved
    assert items.get_item(server.core, project.id, item.id).answer == "A"
    page.type("evalset-edit-answer", "c")
    page.click("evalset-edit-save")
    page.wait(lambda: page.find(f"evalset-answer-{item.id}").text == "Answer: C")
    saved = items.get_item(server.core, project.id, item.id)
    assert (saved.question, saved.options, saved.answer) == (
        "Who lays the eggs in a hive?", ["Queen", "Drone", "Worker"], "C",
    )  # fmt: skip
    page.click(f"evalset-confirm-{item.id}")
    page.wait(lambda: "1 confirmed" in page.find("evalsets-counts").text or None)
    assert items.get_item(server.core, project.id, item.id).confirmed

"""The arena screen in a real browser: two battles voted blind (one by button, one by key),
the progress, and the results with the models named only there."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains

from easy_dataset.services import projects
from easy_dataset.services.evaluation import arena
from tests.arena_support import battles
from tests.browser import Browser, LiveServer


def test_vote_two_battles_blind(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Arena")
    plain, swapped = battles(
        server.core, "Arena", [("Who lays the eggs?", "The queen.", False),
                               ("Who stings?", "<b>Workers</b>", True)],
        ("alpha-model", "beta-model"),
    )  # fmt: skip
    page.open(f"/projects/{project.id}/arena")
    page.wait(lambda: page.find("arena-progress").text == "0 of 2 voted")
    assert page.find("arena-prompt").text == "Who lays the eggs?"
    assert page.find("arena-answer-a").text == "The queen."
    assert page.find("arena-answer-b").text == "The queen. (b)"
    assert page.find("arena-no-votes").is_displayed()
    assert "alpha-model" not in page.text() and "beta-model" not in page.text()
    page.click("arena-vote-B")
    # The swapped battle shows model b's answer as A; markup in it stays text.
    page.wait(lambda: page.find("arena-prompt").text == "Who stings?")
    assert page.find("arena-answer-a").text == "<b>Workers</b> (b)"
    assert page.find("arena-answer-b").text == "<b>Workers</b>"
    assert page.find("arena-progress").text == "1 of 2 voted"
    ActionChains(page.driver).send_keys("a").perform()  # the key for "A is better"
    page.wait(lambda: page.find("arena-progress").text == "2 of 2 voted")
    assert page.find("arena-empty").is_displayed()
    assert [arena.get_battle(server.core, project.id, i).vote for i in (plain, swapped)] == [
        "B",
        "A",
    ]
    # The results name the models: beta-model won both.
    page.wait(lambda: "beta-model" in page.find("arena-results").text)
    assert page.find("arena-model-0").text.startswith("beta-model")
    assert "100.0%" in page.find("arena-model-0-rate").text
    ranking = page.find("arena-ranking").text
    assert ranking.index("beta-model") < ranking.index("alpha-model")

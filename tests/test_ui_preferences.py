"""The preference data screen and the report's judge-agreement card in a real browser: the
pairs with their sources and counts, narrowed by source, and the planted agreement figures."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from easy_dataset.services import projects
from tests.browser import Browser, LiveServer
from tests.test_judge_agreement import _plant
from tests.test_preferences import seed


def test_pairs_listed_and_narrowed(page: Browser, server: LiveServer) -> None:
    seed(server.core)
    project_id = projects.get_project(server.core, "prefs").id
    page.open(f"/projects/{project_id}/preferences")
    page.wait_text("3 pairs: 2 from the arena, 1 from the judge, 0 from edits")
    rows = page.find("preferences-table").find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 3 and "A answers a." in rows[0].text
    page.click("preferences-source-arena")
    page.wait_text("1 pair: 0 from the arena, 1 from the judge, 0 from edits")


def test_report_shows_judge_agreement(page: Browser, server: LiveServer) -> None:
    _plant(server.core, "planted")
    project_id = projects.get_project(server.core, "planted").id
    page.open(f"/projects/{project_id}/quality?tab=report")
    page.wait(lambda: "0.583" in page.find("quality-agreement").text, what="kappa")
    card = " ".join(page.find("quality-agreement").text.split())
    assert "Spearman correlation of scores: 0.718 over 10 rated samples" in card
    assert "Cohen's kappa on pass / fail: 0.583 (moderate)" in card
    assert "Both pass 5 · judge only 1 · reviewer only 1 · both fail 3" in card
    assert "spot-check" in card

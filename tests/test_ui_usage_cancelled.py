"""The usage screen in a real browser: calls stopped because the user cancelled their job
are shown apart ("16 cancelled"), never counted as errors, and the error rate is over the
calls that ran to an end."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from easy_dataset.services import projects
from easy_dataset.store.models import LLMCall
from tests.browser import Browser, LiveServer


def test_cancelled_calls_are_shown_apart(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Usage")
    # 13 calls answered, one timed out, 16 stopped when the user cancelled the job
    outcomes: list[str | None] = [None] * 13 + ["timeout"] + ["cancelled"] * 16
    with server.core.db.session() as session:
        for kind in outcomes:
            session.add(
                LLMCall(
                    project_id=project.id,
                    job_id=1,
                    endpoint="http://127.0.0.1:8080/v1",
                    model="smollm2",
                    prompt_tokens=10,
                    completion_tokens=5,
                    status="ok" if kind is None else "error",
                    error_kind=kind,
                )
            )
    page.open(f"/projects/{project.id}/usage")
    page.wait(lambda: page.find("usage-summary").text.startswith("30 calls"), what="summary")
    summary = page.find("usage-summary").text
    assert "1 errors (7.1% of the calls that ran to an end)" in summary
    assert "16 cancelled" in summary
    assert "16 errors" not in summary

    def cells() -> list[list[str]]:
        table = page.find("usage-errors")
        return [
            [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]

    page.wait(lambda: len(cells()) == 1, what="the error table")
    assert cells() == [["smollm2", "30", "1", "7.1%", "timeout: 1", "16"]]
    headers = page.find("usage-errors").find_elements(By.CSS_SELECTOR, "thead th")
    assert [header.text for header in headers][-1] == "Cancelled"

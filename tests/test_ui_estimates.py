"""The estimate before the judge in a real browser (issue 13, #3: every long job shows an
estimate before it starts): the Quality screen's judge launcher shows items, model calls,
tokens and time first; cancelling starts no job; starting runs exactly the estimated items;
asking again to judge every pair is timed from the judge's recent calls, in both
languages. (Personas, the tag tree and templates: tests/test_ui_personas.py,
test_ui_tags.py and test_ui_questions.py confirm the same dialog before their jobs.)"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from easy_dataset.services import jobs, projects
from easy_dataset.store.dataset import QualityResult
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import make_project, seed_qa_pairs

PAIRS = [
    ("How long does a worker bee live?", "About six weeks in summer."),
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
]


def closed(page: Browser) -> None:
    """Wait until the estimate dialog is gone (its buttons leave with it)."""
    page.wait(
        lambda: not page.driver.find_elements("css selector", "[data-testid='confirm-no']"),
        what="the dialog to close",
    )


def quality_results(server: LiveServer, pid: int) -> list[int]:
    with server.core.db.session() as session:
        return list(
            session.scalars(
                select(QualityResult.id).where(
                    QualityResult.project_id == pid, QualityResult.kind == "judge"
                )
            )
        )


def test_judge_shows_its_estimate_and_cancelling_starts_nothing(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        name = make_project(server.core, tmp_path, fake.base_url)
        pid = projects.get_project(server.core, name).id
        seed_qa_pairs(server.core, pid, PAIRS)
        page.open(f"/projects/{pid}/quality")
        page.click("quality-run-judge")
        page.wait(lambda: page.find("estimate-items").text == "Items: 3")
        assert "QA pairs not judged yet" in page.find("estimate-scope").text
        assert "Model calls: about 3" in page.find("estimate-calls").text
        assert "prompt" in page.find("estimate-tokens").text
        assert "unknown" in page.find("estimate-time").text  # no call of the model yet
        page.wait_text("Judge QA pairs")
        page.click("confirm-no")  # cancelled: nothing starts
        closed(page)
        assert jobs.list_jobs(server.core, project_ref=pid) == []
        assert fake.stats().total == 0

        page.click("quality-run-judge")
        page.click("confirm-yes")
        page.wait(lambda: jobs.list_jobs(server.core, project_ref=pid))
        [job] = jobs.list_jobs(server.core, project_ref=pid)
        page.wait(
            lambda: "succeeded" in page.find(f"job-notice-{job.id}").text,
            timeout=60,
            what="the judge job",
        )
        assert (job.type, job.total) == ("quality.judge", 3)
        assert len(quality_results(server, pid)) == 3

        # Everything judged: the estimate says there is nothing to do; no job is made.
        page.click("quality-run-judge")
        page.find("estimate-nothing")
        page.click("confirm-no")
        closed(page)
        assert len(jobs.list_jobs(server.core, project_ref=pid)) == 1

        # Judging again: every pair, timed by the judge's recent calls; in Chinese too.
        page.click("language-toggle")
        page.wait_text("重新检查已检查过的问答对")
        page.click("quality-judge-redo")
        page.click("quality-run-judge")
        page.wait(lambda: page.find("estimate-items").text == "任务项：3")
        assert "所有问答对" in page.find("estimate-scope").text
        assert (
            "约" in page.find("estimate-time").text
            and "每次调用" in page.find("estimate-time").text
        )
        page.click("confirm-no")
        closed(page)
        assert len(jobs.list_jobs(server.core, project_ref=pid)) == 1

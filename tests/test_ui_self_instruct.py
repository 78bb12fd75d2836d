"""Self-Instruct from the Jobs screen: seed tasks typed one per line (commas and all) into the
form built from the stage's options, and the job's round table on its card, in English and
Chinese."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.services import jobs
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.test_ui_jobs import latest_job, make_project

SEEDS = (
    "Explain why honey bees swarm in spring, briefly.\n"
    "Write a short poem about a beekeeper at dawn.\n"
    "List three signs that a hive has lost its queen."
)


def test_seed_tasks_typed_per_line_and_the_round_table_on_the_job(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.choose("jobs-stage", "Self-Instruct")
        page.paste("stage-field-seeds", SEEDS)
        page.type("stage-field-count", "6")
        page.click("jobs-start")
        page.click("confirm-yes")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60)
        job = latest_job(server, project_id)
        assert job.type == "instructions.self_instruct"
        assert [seed["instruction"] for seed in job.params["seeds"]] == SEEDS.splitlines()
        assert job.params["count"] == 6

        assert "Self-Instruct rounds" in page.find("job-summary-title").text
        table = page.find("job-summary").text
        assert table.splitlines()[-1].split() == ["total", "16", "2", "2", "2", "2", "2", "6"]
        for heading in ("round", "generated", "rouge", "keyword", "duplicate", "kept", "total"):
            assert heading in table
        summary = jobs.show_job(server.core, job.id).summary
        assert summary is not None and summary.totals is not None
        assert summary.totals["kept"] == 6

    page.open(f"/_ui/language/zh?next=%2Fprojects%2F{project_id}%2Fjobs%3Fjob%3D{job.id}")
    page.wait(lambda: "轮次" in page.find("job-summary").text, what="the Chinese headings")
    assert "保留" in page.find("job-summary").text
    assert "生成 → 过滤 → 保留" in page.find("job-summary-title").text
    assert "Self-Instruct 自举指令" in page.find("jobs-table").text  # the stage's own label

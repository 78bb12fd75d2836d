"""The jobs screen reports what happened, in words a web user can act on: model calls that
failed and were retried show on the job although every item succeeded; a running job
reads "running since", a finished one "finished … after …"; what is left reads as a
duration; job types have names in both languages; failures are listed on the page, never
as a command to run in a terminal."""

from __future__ import annotations

import re
from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.server.ui.jobs import calls_lines, span, time_left
from easy_dataset.services import files, jobs, models, projects
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import MALFORMED_TEXT, FakeOpenAI, Faults
from tests.helpers import GUIDE, write

CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def make_project(server: LiveServer, tmp_path: Path, base_url: str, **settings: float) -> int:
    chunking = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Jobs", chunking=chunking)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    config = ModelConfig.model_validate(
        {
            "name": "fake",
            "provider": "custom",
            "base_url": base_url,
            "model": "fake-model",
            "concurrency": 1,
            "validation_retries": 0,
            **settings,
        }
    )
    models.add_model(server.core, project.id, config)
    return project.id


def latest_job(server: LiveServer, project_id: int) -> jobs.JobView:
    return jobs.list_jobs(server.core, project_ref=project_id, limit=1)[0]


def column(page: Browser, name: str) -> list[str]:
    table = page.find("jobs-table")
    headers = [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")]
    index = headers.index(name)
    return [
        row.find_elements(By.TAG_NAME, "td")[index].text
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def test_a_timed_out_call_that_was_retried_shows_on_the_job(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    # The first call gets no reply within the model's 1 s timeout; the retry succeeds.
    with FakeOpenAI(Faults(script=["hang"], hang_seconds=3)) as fake:
        project_id = make_project(server, tmp_path, fake.base_url, timeout=1.0)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60, what="success")
        job = latest_job(server, project_id)
        assert job.failed == 0 and job.succeeded == job.total
        page.wait(
            lambda: "1 call timed out and was retried" in page.find("job-calls").text,
            what="the retried call",
        )
        calls = jobs.show_job(server.core, job.id).calls
        assert calls.calls == job.total + 1  # one attempt more than items
        calls_text = page.find("job-calls").text
        assert f"Model calls: {calls.calls}" in calls_text
        assert "1 failed (timed out: 1)" in calls_text
        page.wait(lambda: column(page, "Model calls") == [f"{calls.calls} · 1 failed"])


def test_running_and_finished_jobs_read_as_durations(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI(Faults(latency=0.6)) as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "running", what="the job to run")
        times = page.find("job-times").text
        assert "running since" in times and "finished" not in times
        # the estimate of what is left is a duration, not a clock time
        page.wait(lambda: "left" in page.find("job-speed").text, what="an estimate")
        speed = page.find("job-speed").text
        assert not CLOCK.search(speed), speed
        assert any(words in speed for words in ("under a minute", "about", "estimating"))
        for cell in column(page, "Time left"):
            assert not CLOCK.search(cell), cell
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60)
        page.wait(lambda: "finished" in page.find("job-times").text, what="the finish time")
        times = page.find("job-times").text
        assert "running since" not in times and " after " in times


def test_type_names_and_failures_on_the_page_in_both_languages(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI(Faults(p_malformed=1.0)) as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "failed", timeout=60, what="failure")
    job = latest_job(server, project_id)
    assert job.error == f"{job.failed} of {job.total} items failed"  # no interface's hint
    assert "Generate questions" in column(page, "Type")
    error = page.find("job-error").text
    assert f"{job.failed} of {job.total} items failed" in error
    assert "easy-dataset jobs" not in page.text()
    failures = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid=job-failure]")
    assert len(failures) == job.failed
    page.wait_notices_gone()  # the "job started" notice may cover the list
    failures[0].click()
    page.wait(lambda: MALFORMED_TEXT in page.find("job-raw-output").text)
    assert page.find("job-retry").is_displayed()
    page.open(f"/_ui/language/zh?next=%2Fprojects%2F{project_id}%2Fjobs%3Fjob%3D{job.id}")
    page.wait(lambda: "生成问题" in page.find("jobs-table").text, what="the Chinese name")
    assert "questions.generate" not in page.text()
    assert "easy-dataset jobs" not in page.text()
    assert "失败" in page.find("job-error").text
    assert "回复中没有 JSON" in page.text()  # the failure's kind, translated
    # the stage to start is chosen by its name too
    assert "生成问题" in page.find("jobs-stage").text


def test_a_refused_key_says_what_to_fix_without_a_cli_command(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI(Faults(status_for_auth=401, api_key="sk-right")) as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "failed", timeout=60, what="failure")
    page.click("job-failure")  # again while the "job started" notice covers it
    page.wait_text("refused the API key")
    text = page.text()
    assert "key refused" in text  # the kind, in words
    assert "model configuration 'fake'" in text
    assert "easy-dataset models" not in text and "easy-dataset jobs" not in text


def test_time_left_and_spans_read_as_durations() -> None:
    # Outside a page the strings are English.
    assert time_left(18 * 60) == "about 18 min"
    assert time_left(20) == "under a minute"
    assert time_left(3 * 3600 + 5 * 60) == "about 3 h 5 min"
    assert time_left(None) == "estimating…"
    assert span(42) == "42 s" and span(12 * 60 + 5) == "12 min"
    assert span(3700) == "1 h 1 min"


def test_call_lines_word_each_kind() -> None:
    calls = jobs.JobCalls(
        calls=40,
        failed=5,
        retried=4,
        cancelled=16,
        kinds={"rate_limit": 3, "timeout": 1, "auth": 1},
        retried_kinds={"rate_limit": 3, "timeout": 1},
    )
    assert calls_lines(calls) == [
        "Model calls: 40 · 5 failed (key refused: 1, rate limited: 3, timed out: 1) · "
        "16 cancelled by you",
        "3 calls hit the rate limit and were retried",
        "1 call timed out and was retried",
    ]

"""The jobs screen in a real browser: a stage started from the page runs on the server's
job thread against the fake OpenAI server, with live progress; failures show their kind,
message and raw output and can be retried."""

from __future__ import annotations

import socket
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, jobs, models, projects, stages
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import MALFORMED_TEXT, FakeOpenAI, Faults
from tests.helpers import GUIDE, write


def make_project(server: LiveServer, tmp_path: Path, base_url: str) -> int:
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Jobs", chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    config = ModelConfig(
        name="fake",
        provider="custom",
        base_url=base_url,
        model="fake-model",
        concurrency=1,
        validation_retries=0,
    )
    models.add_model(server.core, project.id, config)
    return project.id


def latest_job(server: LiveServer, project_id: int) -> jobs.JobView:
    return jobs.list_jobs(server.core, project_ref=project_id, limit=1)[0]


def test_start_a_stage_and_follow_it(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    with FakeOpenAI(Faults(latency=0.4)) as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "running", what="the job to run")
        job = latest_job(server, project_id)
        assert job.type == "questions.generate" and job.total >= 3
        seen: set[str] = set()

        def finished() -> bool:
            seen.add(page.find("job-counts").text)
            return page.find("job-status").text == "succeeded"

        page.wait(finished, timeout=60, what="the job to succeed")
        total = job.total
        final = f"{total} succeeded · 0 failed · 0 pending · {total} in all"

        def final_counts() -> bool:
            seen.add(page.find("job-counts").text)
            return final in seen

        # Status and counts are two elements: the status may turn between reading the two,
        # and the page may go from one partial count straight to the final one.
        page.wait(final_counts, what="the final counts")
        assert seen - {final}, "the page never showed the job part-way"

        # One tick reads the table's rows before the open job, so the job may finish in
        # between and the table show it a tick later.
        def table_final() -> bool:
            table = page.find("jobs-table").text
            return f"{total}/{total}" in table and "succeeded" in table

        page.wait(table_final, what="the table to show the finished job")


def test_failures_show_raw_output_and_retry(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI(Faults(p_malformed=1.0)) as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/jobs")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "failed", timeout=60, what="failure")
        job = latest_job(server, project_id)
        assert job.failed == job.total
        failures = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid=job-failure]")
        assert len(failures) == job.total
        assert "no JSON in the reply" in failures[0].text  # kind "parse", in words
        page.wait_notices_gone()  # the "job started" notice may cover the list
        failures[0].click()
        page.wait(lambda: MALFORMED_TEXT in page.find("job-raw-output").text)
        fake.set_faults(Faults())
        page.click("job-retry")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60)
        assert jobs.show_job(server.core, job.id).job.succeeded == job.total


def test_resume_a_job_nobody_runs(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        # Planned but never handed to a runner, like a job whose CLI run was killed.
        job_id = stages.start_stage(server.core, project_id, "questions.generate")
        page.open(f"/projects/{project_id}/jobs?job={job_id}")
        assert page.find("job-status").text == "pending"
        page.click("job-resume")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60)


def test_a_job_pauses_on_a_dead_endpoint_and_resumes_from_the_page(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    project_id = make_project(server, tmp_path, f"http://127.0.0.1:{port}/v1")
    page.open(f"/projects/{project_id}/jobs")
    page.click("jobs-start")
    page.click("confirm-yes")  # after the estimate
    page.wait(lambda: page.find("job-status").text == "paused", timeout=60, what="the pause")
    job = latest_job(server, project_id)
    assert job.failed == 0 and job.pending == job.total > 0
    page.wait_text("endpoint unreachable")
    with FakeOpenAI(port=port):
        page.click("job-resume")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=60)
    assert jobs.show_job(server.core, job.id).job.succeeded == job.total


def test_jobs_wait_when_the_server_does_not_run_them(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake, LiveServer(tmp_path / "home", run_jobs=False) as server:
        project_id = make_project(server, tmp_path, fake.base_url)
        page = Browser(browser, server.url)
        page.open(f"/projects/{project_id}/jobs")
        page.wait_text("stay queued")
        page.click("jobs-start")
        page.click("confirm-yes")  # after the estimate
        page.wait(lambda: page.find("job-status").text == "pending")
        job = latest_job(server, project_id)
        page.click("job-cancel")
        page.wait(lambda: jobs.show_job(server.core, job.id).job.status == "cancelled")
        page.wait(lambda: page.find("job-status").text == "cancelled")
        assert fake.stats().total == 0


def test_the_start_form_shows_the_estimate_and_cancel_starts_nothing(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = make_project(server, tmp_path, "http://127.0.0.1:9/v1")
    planned = stages.estimate_stage(server.core, project_id, "questions.generate").items
    assert planned > 0
    page.open(f"/projects/{project_id}/jobs")
    page.click("jobs-start")
    page.wait(lambda: f"Items: {planned}" in page.find("estimate-items").text)
    page.click("confirm-no")
    page.wait(lambda: not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid=confirm-no]"))
    assert jobs.list_jobs(server.core, project_ref=project_id) == []

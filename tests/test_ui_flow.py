"""The path a newcomer takes, all through the pages of a real browser: create a project, set
a model (the fake OpenAI server) on Settings, upload a PDF and a DOCX, look at the chunks,
generate questions and answers on the Questions screen and follow the jobs on the Jobs
screen, edit and confirm a QA pair, export the confirmed pairs and read the downloaded file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import files, generation, jobs, models
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.ingest_samples import docx_bytes, pdf_bytes
from tests.ingest_samples import write as write_bytes
from tests.test_ui_export import downloaded, downloads_to

EDITED = "Sales went up and costs went down (checked by a reviewer)."


def new_job(page: Browser, server: LiveServer, project_id: int, before: set[int]) -> int:
    job = page.wait(
        lambda: next(
            (j for j in jobs.list_jobs(server.core, project_ref=project_id) if j.id not in before),
            None,
        ),
        what="a new job",
    )
    return job.id


def wait_on_jobs_screen(page: Browser, job_id: int) -> None:
    """Follow the started job's link to the Jobs screen and wait there until it succeeded."""
    page.click(f"job-link-{job_id}")
    page.wait(lambda: page.driver.current_url.endswith(f"/jobs?job={job_id}"))
    page.wait(
        lambda: (
            page.find(f"job-{job_id}")
            .find_element(By.CSS_SELECTOR, "[data-testid=job-status]")
            .text
            == "succeeded"
        ),
        timeout=120,
        what=f"job {job_id} to succeed",
    )


def test_newcomer_flow(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    folder = downloads_to(page, tmp_path / "downloads")
    (tmp_path / "uploads").mkdir()
    report = write_bytes(tmp_path / "uploads" / "report.pdf", pdf_bytes())
    annual = write_bytes(tmp_path / "uploads" / "annual.docx", docx_bytes())
    with FakeOpenAI() as fake:
        # 1. a project
        page.open("/")
        page.type("project-name", "Flow")
        page.click("project-create")
        page.wait(lambda: "/files" in page.driver.current_url, what="the files screen")
        found = re.search(r"/projects/(\d+)/files", page.driver.current_url)
        assert found is not None
        project_id = int(found.group(1))
        # 2. a model configuration on Settings
        page.click("nav-settings")
        page.find("models-none")
        page.choose("model-provider", "custom")
        page.type("model-name", "fake")
        page.type("model-model", "fake-model")
        page.type("model-base-url", fake.base_url)
        page.click("model-add")
        page.wait(lambda: len(models.list_models(server.core, project_id)) == 1)
        # 3. upload a PDF and a DOCX
        page.click("nav-files")
        chooser = page.find("files-upload").find_element(By.CSS_SELECTOR, "input[type=file]")
        chooser.send_keys(f"{report}\n{annual}")
        page.wait(
            lambda: len(files.list_files(server.core, project_id)) == 2,
            timeout=60,
            what="two files",
        )
        table = page.find("upload-status")
        page.wait(lambda: table.text.count("added") == 2, what="both files added")
        chunk_count = sum(view.chunk_count for view in files.list_files(server.core, project_id))
        assert chunk_count >= 2
        # 4. the chunks
        page.click("nav-chunks")
        page.wait(lambda: page.find("chunks-total").text.startswith(f"{chunk_count} chunks"))
        page.wait_text("Quarterly Report")
        # 5. questions, then answers, started on the Questions screen, followed on Jobs
        page.click("nav-questions")
        page.click("qs-generate")
        page.click("confirm-yes")  # after the estimate
        job_id = new_job(page, server, project_id, set())
        wait_on_jobs_screen(page, job_id)
        assert generation.count_questions(server.core, project_id) >= chunk_count
        page.click("nav-questions")
        page.click("qs-answer-all")
        page.click("confirm-yes")
        job_id = new_job(page, server, project_id, {job_id})
        wait_on_jobs_screen(page, job_id)
        assert [job.type for job in jobs.list_jobs(server.core, project_ref=project_id)] == [
            "answers.generate",
            "questions.generate",
        ]
        pairs = generation.list_qa(server.core, project_id, limit=1000)
        assert pairs and fake.stats().total >= 2 * len(pairs)
        # 6. edit and confirm one QA pair
        page.click("nav-qa")
        page.wait(lambda: page.find("qa-total").text.startswith(f"{len(pairs)} QA pairs"))
        chosen = pairs[0].id
        page.click(f"qa-open-{chosen}")
        page.find("qa-chunk")
        page.type("qa-edit-answer", EDITED)
        page.click("qa-save")
        page.wait(lambda: generation.get_qa(server.core, project_id, chosen).answer == EDITED)
        page.click("qa-confirm")
        page.wait(lambda: generation.get_qa(server.core, project_id, chosen).confirmed)
        # 7. export the confirmed pairs and read the download
        page.click("nav-export")
        page.click("export-confirmed")
        page.wait(lambda: page.find("export-count").text == "1 QA pair will be exported")
        page.wait(lambda: EDITED in page.find("export-preview").text)
        page.click("export-download")
        data = downloaded(page, folder, "Flow-alpaca.jsonl")
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(records) == 1
    [record] = records
    assert record["instruction"] == pairs[0].question
    assert record["output"].endswith(EDITED)
    assert page.alerts() == []

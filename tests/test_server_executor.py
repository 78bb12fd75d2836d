"""The server's job executor: jobs run one after another in the background, a job cancelled
while it waits never runs, and stopping the executor leaves the running job resumable."""

from __future__ import annotations

import time
from pathlib import Path

from easy_dataset.jobs import find_interrupted
from easy_dataset.server.executor import JobExecutor
from easy_dataset.services import App, jobs, stages
from easy_dataset.services import generation as gen
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_generate_support import make_project


def wait(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def status(app: App, job_id: int) -> str:
    return jobs.show_job(app, job_id, failures=0).job.status


def test_queued_cancelled_and_interrupted_jobs(app: App, tmp_path: Path) -> None:
    with FakeOpenAI(Faults(latency=0.3)) as fake:
        project = make_project(app, tmp_path, fake.base_url, concurrency=1)
        gen.update_generation_settings(app, project, tags_enabled=False)
        executor = JobExecutor(app)
        seen: set[int] = set()
        executor.subscribe(lambda event: seen.add(event.job_id))
        executor.start(resume_interrupted=False)
        try:
            first = stages.start_stage(app, project, "questions.generate", concurrency=1)
            second = stages.start_stage(app, project, "personas.generate")
            executor.submit(first)
            executor.submit(second)
            executor.submit(second)  # queued twice, runs once
            wait(lambda: status(app, first) == "running")
            jobs.cancel_job(app, second)  # while it waits behind the first
            wait(lambda: status(app, first) == "succeeded")
            wait(lambda: not executor.queued())
            assert status(app, second) == "cancelled"
            assert gen.list_personas(app, project) == []  # it never ran
            assert seen == {first}
            # Live figures are for running jobs only: a new job given the id of a deleted
            # one (as SQLite does) must not show the old one's.
            assert executor.progress == {}

            # Stopping the server mid-job leaves the job interrupted, and resumable.
            answers = stages.start_stage(app, project, "answers.generate", concurrency=1)
            executor.submit(answers)
            wait(lambda: jobs.show_job(app, answers, failures=0).job.succeeded >= 1)
        finally:
            executor.stop()
        assert answers in find_interrupted(app)
        done = jobs.show_job(app, answers, failures=0).job
        assert done.succeeded + done.pending == done.total == 3 and done.pending >= 1

        again = JobExecutor(app)
        again.start()  # picks interrupted jobs up by itself
        try:
            wait(lambda: status(app, answers) == "succeeded")
        finally:
            again.stop()
        assert len(gen.list_qa(app, project)) == 3

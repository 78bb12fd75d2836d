"""Save PNGs of the screens issue 13 changed for jobs, usage and model settings to
docs/screenshots/, from headless Chromium:

    .venv/bin/python scripts/screenshots_jobs_models.py [--out docs/screenshots]

- jobs-retried.png: a finished job whose first call timed out and was retried;
- jobs-running.png: a running job ("running since", time left as a duration);
- jobs-failed.png: a failed job, its failures listed on the page (with --language zh:
  jobs-failed-zh.png, which needs a CJK font such as fonts-noto-cjk);
- model-edit.png: the Edit dialog of a model configuration with its generation settings;
- usage-cancelled.png: usage with the user's cancellations shown apart from errors.

Everything runs against the test suite's fake OpenAI server on a temporary data home.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from importlib.resources import as_file, files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test suite's browser harness and fake model server

from tests.browser import Browser, LiveServer, chromium  # noqa: E402
from tests.fake_openai import FakeOpenAI, Faults  # noqa: E402

from easy_dataset.llm.types import ModelConfig  # noqa: E402
from easy_dataset.services import files as file_service  # noqa: E402
from easy_dataset.services import jobs, models, projects, stages  # noqa: E402
from easy_dataset.store.models import LLMCall  # noqa: E402

SAMPLE = "beekeeping.md"


def project(server: LiveServer, name: str, base_url: str, **settings: object) -> int:
    core = server.core
    made = projects.create_project(core, name)
    config = ModelConfig.model_validate(
        {"name": "llama", "provider": "custom", "base_url": base_url, "model": "smollm2"} | settings
    )
    models.add_model(core, made.id, config, api_key="sk-screenshot-key-0000")
    with as_file(files("easy_dataset.samples") / SAMPLE) as sample:
        file_service.add_files(core, made.id, [sample])
    return made.id


def run(server: LiveServer, project_id: int) -> int:
    job_id = stages.start_stage(server.core, project_id, "questions.generate")
    server.app.state.executor.submit(job_id)
    return job_id


def finished(server: LiveServer, job_id: int) -> None:
    deadline = time.monotonic() + 180
    while jobs.show_job(server.core, job_id, failures=0).job.status in ("pending", "running"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} did not finish")
        time.sleep(0.2)


def save(page: Browser, out: Path, name: str) -> None:
    time.sleep(0.5)  # let tables and transitions settle
    page.driver.save_screenshot(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--language", choices=("en", "zh"), default="en")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    driver = chromium()
    driver.set_window_size(1400, 1000)
    try:
        with (
            tempfile.TemporaryDirectory() as home,
            FakeOpenAI(Faults(script=["hang"], hang_seconds=3)) as fake,
            LiveServer(Path(home) / "home") as server,
        ):
            page = Browser(driver, server.url)
            # a timed-out call retried
            retried = project(server, "Retried", fake.base_url, timeout=1.0, concurrency=1)
            job_id = run(server, retried)
            finished(server, job_id)
            page.open(f"/projects/{retried}/jobs?job={job_id}")
            page.find("job-calls")
            save(page, out, "jobs-retried")
            # running, slowly
            fake.set_faults(Faults(latency=1.5))
            slow = project(server, "Slow", fake.base_url, concurrency=1)
            job_id = run(server, slow)
            page.open(f"/projects/{slow}/jobs?job={job_id}")
            page.wait(lambda: "min" in page.find("job-speed").text, timeout=60)
            save(page, out, "jobs-running")
            jobs.cancel_job(server.core, job_id)
            finished(server, job_id)
            # failures, in Chinese
            fake.set_faults(Faults(p_malformed=1.0))
            broken = project(server, "Broken", fake.base_url, validation_retries=0)
            job_id = run(server, broken)
            finished(server, job_id)
            language = args.language
            page.open(
                f"/_ui/language/{language}?next=%2Fprojects%2F{broken}%2Fjobs%3Fjob%3D{job_id}"
            )
            page.find("job-error")
            page.driver.find_element("css selector", "[data-testid=job-failure]").click()
            save(page, out, "jobs-failed" + ("-zh" if language == "zh" else ""))
            page.open(f"/_ui/language/en?next=%2Fprojects%2F{retried}%2Fsettings")
            view = models.list_models(server.core, retried)[0]
            page.click(f"model-edit-{view.id}")
            page.find("edit-structured")
            save(page, out, "model-edit")
            # usage with cancellations
            with server.core.db.session() as session:
                for kind in [None] * 13 + ["timeout"] + ["cancelled"] * 16:
                    session.add(
                        LLMCall(
                            project_id=slow,
                            endpoint=fake.base_url,
                            model="smollm2",
                            prompt_tokens=300,
                            completion_tokens=120,
                            status="ok" if kind is None else "error",
                            error_kind=kind,
                        )
                    )
            page.open(f"/projects/{slow}/usage")
            page.wait(lambda: "cancelled" in page.find("usage-summary").text)
            save(page, out, "usage-cancelled")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

"""Save a PNG of each web screen to docs/screenshots/, from headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--language en|zh]

Starts the server on a temporary data home holding one project made from the bundled
sample (`easy_dataset/samples/beekeeping.md`), with a model configuration on the test
suite's fake OpenAI server and one finished question job, then visits every screen.
Nothing is fetched from the network. Chinese text needs a CJK font (e.g. fonts-noto-cjk).
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
from tests.fake_openai import FakeOpenAI  # noqa: E402

from easy_dataset.llm.types import ModelConfig  # noqa: E402
from easy_dataset.services import files as file_service  # noqa: E402
from easy_dataset.services import generation, jobs, models, projects, quality, stages  # noqa: E402

SAMPLE = "beekeeping.md"


def wait(server: LiveServer, job_id: int, what: str) -> None:
    """Run one job on the server's executor and wait for it to end."""
    server.app.state.executor.submit(job_id)
    deadline = time.monotonic() + 180
    while jobs.show_job(server.core, job_id, failures=0).job.status in ("pending", "running"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the sample's {what} job did not finish")
        time.sleep(0.2)


def seed(server: LiveServer, fake: FakeOpenAI) -> int:
    """The sample project; its id. Runs one question job through the server's executor."""
    core = server.core
    project = projects.create_project(
        core, "Beekeeping guide", description="The bundled sample: a field guide for beginners."
    )
    projects.create_project(core, "Legal memos", description="An empty second project.")
    config = ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="fake-model")
    models.add_model(core, project.id, config, api_key="sk-screenshot-key-0000")
    with as_file(files("easy_dataset.samples") / SAMPLE) as sample:
        file_service.add_files(core, project.id, [sample])
    for stage in ("tags.build", "personas.generate", "questions.generate", "answers.generate"):
        wait(server, stages.start_stage(core, project.id, stage), stage)
    for check in ("judge", "ground", "dedup", "pii", "refs", "sample"):
        wait(server, quality.start_check(core, project.id, check), check)
    first = generation.list_qa(core, project.id, limit=1)[0]
    generation.confirm_qa(core, project.id, [first.id])
    generation.rate_qa(core, project.id, first.id, 4)
    return project.id


def shoot(page: Browser, path: str, out: Path, name: str, wait_for: str) -> None:
    page.open(path)
    page.find(wait_for)
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
    try:
        with (
            tempfile.TemporaryDirectory() as home,
            FakeOpenAI() as fake,
            LiveServer(Path(home) / "home") as server,
        ):
            project_id = seed(server, fake)
            page = Browser(driver, server.url)
            if args.language != "en":
                page.open(f"/_ui/language/{args.language}")
            base = f"/projects/{project_id}"
            shoot(page, "/", out, "projects", "projects-table")
            shoot(page, f"{base}/files", out, "files", "files-table")
            shoot(page, f"{base}/chunks", out, "chunks", "chunks-total")
            first = page.driver.find_element("css selector", "[data-testid^='chunk-view-']")
            first.click()
            page.find("chunk-markdown")
            time.sleep(0.5)
            page.driver.save_screenshot(str(out / "chunk-view.png"))
            print(out / "chunk-view.png")
            shoot(page, f"{base}/tags", out, "tags", "tags-count")
            shoot(page, f"{base}/personas", out, "personas", "personas-count")
            shoot(page, f"{base}/questions", out, "questions", "qs-total")
            shoot(page, f"{base}/qa", out, "qa", "qa-total")
            first = generation.list_qa(server.core, project_id, limit=1)[0].id
            shoot(page, f"{base}/qa/{first}", out, "qa-detail", "qa-chunk")
            shoot(page, f"{base}/export", out, "export", "export-count")
            shoot(page, f"{base}/quality?tab=report", out, "quality", "quality-figures")
            shoot(page, f"{base}/usage", out, "usage", "usage-summary")
            latest = jobs.list_jobs(server.core, project_ref=project_id, limit=1)[0].id
            shoot(page, f"{base}/jobs?job={latest}", out, "jobs", f"job-{latest}")
            shoot(page, f"{base}/settings", out, "settings", "model-add")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

"""The headless demo: the bundled sample through the whole pipeline on the embedded model,
then the quality checks that need no model call and the dataset report."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import as_file, files

from easy_dataset.errors import NotFoundError
from easy_dataset.export.options import ExportOptions
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services import projects
from easy_dataset.services.app import App
from easy_dataset.services.generation.settings import update_generation_settings
from easy_dataset.services.pipeline import PipelineRequest, PipelineSummary, run_pipeline
from easy_dataset.services.quality import Report, build_report, run_check

SAMPLE = "beekeeping.md"
# The embedded model reads about 120 prompt tokens a second on a 2-core CPU: one question per
# chunk, and no second call to synthesise reasoning, run every stage in about two minutes.
DEMO_GENERATION = {"max_questions": 1}
# The judge would be the tiny embedded model grading itself: left to a real model.
DEMO_CHECKS = ("ground", "dedup", "pii", "refs")


def run_demo(
    app: App,
    project_name: str = "demo",
    *,
    on_stage: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
    max_chunks: int | None = None,
) -> PipelineSummary:
    """Create (or reuse) the demo project and run the sample through every stage, offline
    (questions and answers for its first `max_chunks` chunks only, if given)."""
    try:
        projects.get_project(app, project_name)
    except NotFoundError:
        projects.create_project(
            app, project_name, description="The bundled beekeeping guide, on the embedded model."
        )
        update_generation_settings(app, project_name, **DEMO_GENERATION)
    output = app.settings.home / "demo-dataset.jsonl"
    with as_file(files("easy_dataset.samples") / SAMPLE) as sample:
        request = PipelineRequest(
            paths=[sample],
            output=output,
            project=project_name,
            export=ExportOptions(format="alpaca", file_type="jsonl"),
            synthesize_cot=False,
            max_chunks=max_chunks,
        )
        return run_pipeline(app, request, on_stage=on_stage, on_progress=on_progress)


def run_demo_checks(
    app: App,
    project_name: str = "demo",
    *,
    on_stage: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> Report:
    """The quality checks that need no model call, then the dataset report."""
    for check in DEMO_CHECKS:
        if on_stage is not None:
            on_stage(f"quality {check}")
        run_check(app, project_name, check, on_progress=on_progress)
    return build_report(app, project_name)

"""Quality checks by their short names: each is the stage `quality.<check>`."""

from __future__ import annotations

from typing import Any

from easy_dataset.jobs import JobSummary
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.jobs.stage import all_stages

# The module, not its names: `stages` imports the stage packages, this one among them.
from easy_dataset.services import stages
from easy_dataset.services.app import App
from easy_dataset.services.job_support.estimate import Estimate


def checks() -> list[str]:
    """The checks' short names (`judge`, `ground`, ...), in their order."""
    return [stage_cls.short_name() for stage_cls in all_stages("quality")]


def job_type(check: str) -> str:
    """The stage (and job type) of a check: `judge` -> `quality.judge`."""
    return check if check.startswith("quality.") else f"quality.{check}"


def start_check(app: App, project_ref: str | int, check: str, **options: Any) -> int:
    """Plan a check's job and return its id; nothing runs yet (a runner picks it up)."""
    return stages.start_stage(app, project_ref, job_type(check), **options)


def estimate_check(app: App, project_ref: str | int, check: str, **options: Any) -> Estimate:
    """What `start_check` with these options would do, without creating anything."""
    return stages.estimate_stage(app, project_ref, job_type(check), **options)


def run_check(
    app: App,
    project_ref: str | int,
    check: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one check to the end: first any interrupted job of it, then a new one."""
    return stages.run_stage(app, project_ref, job_type(check), on_progress=on_progress, **options)

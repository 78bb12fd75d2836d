"""Starting and running quality checks as jobs, for every interface."""

from __future__ import annotations

from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.services.app import App
from easy_dataset.services.generation.stages import plan_job, run_to_end

# Check name (as the CLI and API spell it) -> job type.
CHECKS = {
    "judge": "quality.judge",
    "ground": "quality.ground",
    "dedup": "quality.dedup",
    "pii": "quality.pii",
    "refs": "quality.refs",
    "contamination": "quality.contamination",
    "sample": "quality.sample",
    "hygiene": "quality.hygiene",
}


def job_type(check: str) -> str:
    if check not in CHECKS:
        raise InputError(f"no quality check {check!r}; the checks are: {', '.join(CHECKS)}")
    return CHECKS[check]


def start_check(app: App, project_ref: str | int, check: str, **options: Any) -> int:
    """Plan a check's job and return its id; nothing runs yet (a runner picks it up)."""
    return plan_job(app, project_ref, job_type(check), options)


def run_check(
    app: App,
    project_ref: str | int,
    check: str,
    *,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> JobSummary:
    """Run one check to the end: first any interrupted job of it, then a new one."""
    return run_to_end(app, project_ref, job_type(check), options, on_progress)

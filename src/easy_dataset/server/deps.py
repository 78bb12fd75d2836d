"""What route functions receive: the application context and the job executor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from easy_dataset.server.executor import JobExecutor
from easy_dataset.services import App


def get_core(request: Request) -> App:
    core: App = request.app.state.core
    return core


def get_executor(request: Request) -> JobExecutor:
    executor: JobExecutor = request.app.state.executor
    return executor


def submit_job(request: Request, job_id: int) -> None:
    """Hand a job to the executor, unless this server was started not to run jobs."""
    if request.app.state.run_jobs:
        get_executor(request).submit(job_id)


Core = Annotated[App, Depends(get_core)]
Executor = Annotated[JobExecutor, Depends(get_executor)]

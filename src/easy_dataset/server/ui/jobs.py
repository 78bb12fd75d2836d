"""The jobs screen (`/projects/{id}/jobs`): start a generation stage, and follow every job
live (a timer polls the job rows and the executor's latest progress; the work runs on the
server's job thread, so closing the tab stops nothing). A job's failures show kind,
message and raw model output; failed items can be retried, jobs cancelled or resumed."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import events, ui

from easy_dataset.errors import NotFoundError
from easy_dataset.jobs import find_interrupted
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import duration, guarded, notify_error, notify_ok, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.services import generation, jobs, models
from easy_dataset.services.views import ProjectView

COLUMNS = ("id", "type", "status", "done", "succeeded", "failed", "pending", "rate", "eta")
ACTIVE = ("pending", "paused", "running")


class JobsScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.table: ui.table | None = None
        self.detail: ui.column | None = None
        self.shown: int | None = None  # the job whose details are open
        self.shown_state: tuple[Any, ...] = ()

    def build(self) -> None:
        ui.label(t("jobs.title")).classes("text-2xl")
        self._start_form()
        columns = [
            {"name": key, "label": t(f"jobs.col.{key}"), "field": key, "align": "left"}
            for key in COLUMNS
        ]
        self.table = ui.table(columns=columns, rows=self.rows(), row_key="id").classes("w-full")
        self.table.props("flat bordered dense data-testid=jobs-table")
        self.table.on("rowClick", guarded(self._open), [[], ["id"], None])
        self.detail = ui.column().classes("w-full")
        ui.timer(1.0, self.tick)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for job in jobs.list_jobs(self.ctx.core, project_ref=self.project.id):
            progress = self.ctx.executor.progress.get(job.id)
            live = progress is not None and job.status == "running"
            rows.append(
                {
                    "id": job.id,
                    "type": job.type,
                    "status": t(f"jobs.status.{job.status}"),
                    "done": f"{job.succeeded + job.failed}/{job.total}",
                    "succeeded": job.succeeded,
                    "failed": job.failed,
                    "pending": job.pending,
                    "rate": f"{progress.rate:.2f}/s" if live and progress else "—",
                    "eta": duration(progress.eta_seconds) if live and progress else "—",
                }
            )
        return rows

    def tick(self) -> None:
        if self.table is not None:
            rows = self.rows()
            if rows != self.table.rows:
                self.table.rows = rows
                self.table.update()
        if self.shown is not None:
            job = jobs.show_job(self.ctx.core, self.shown, failures=0).job
            state = (job.status, job.succeeded, job.failed, job.pending, job.cancel_requested)
            if state != self.shown_state:
                self.show(self.shown)

    def _start_form(self) -> None:
        configs = [view.name for view in models.list_models(self.ctx.core, self.project.id)]
        model_options = {"": t("jobs.default_model")} | {name: name for name in configs}
        with ui.card().classes("w-full"), ui.row().classes("w-full items-end gap-4"):
            stage = (
                ui.select(
                    list(generation.STAGES), value="questions.generate", label=t("jobs.stage")
                )
                .classes("min-w-[14rem]")
                .props("data-testid=jobs-stage")
            )
            model = ui.select(model_options, value="", label=t("jobs.model"))
            model.classes("min-w-[12rem]").props("data-testid=jobs-model")
            concurrency = ui.number(t("jobs.concurrency"), min=1, max=1024).classes("min-w-[12rem]")

            def start() -> None:
                job_id = generation.start_job(
                    self.ctx.core,
                    self.project.id,
                    str(stage.value),
                    model=model.value or None,
                    concurrency=int(concurrency.value) if concurrency.value else None,
                )
                self.ctx.submit(job_id)
                notify_ok(t("jobs.started", id=job_id))
                self.show(job_id)
                self.tick()

            ui.button(t("jobs.start"), on_click=guarded(start)).props("data-testid=jobs-start")
        if not self.ctx.run_jobs:
            ui.label(t("jobs.not_running")).classes("text-sm text-orange-700")

    def _open(self, event: events.GenericEventArguments) -> None:
        self.show(int(event.args[1]["id"]))

    def show(self, job_id: int) -> None:
        detail = jobs.show_job(self.ctx.core, job_id)
        job = detail.job
        if job.project_id != self.project.id:
            raise NotFoundError(t("jobs.not_here", id=job_id))
        self.shown = job_id
        self.shown_state = (
            job.status,
            job.succeeded,
            job.failed,
            job.pending,
            job.cancel_requested,
        )
        if self.detail is None:
            return
        self.detail.clear()
        progress = self.ctx.executor.progress.get(job_id)
        done = job.succeeded + job.failed
        with self.detail, ui.card().classes("w-full").props(f"data-testid=job-{job_id}"):
            ui.label(t("jobs.detail_title", id=job.id, type=job.type)).classes("text-lg")
            ui.label(t(f"jobs.status.{job.status}")).props("data-testid=job-status")
            ui.linear_progress(value=done / job.total if job.total else 0, show_value=False)
            ui.label(
                t(
                    "jobs.counts",
                    ok=job.succeeded,
                    failed=job.failed,
                    pending=job.pending,
                    total=job.total,
                )
            ).props("data-testid=job-counts")
            if progress is not None and job.status == "running":
                ui.label(
                    t("jobs.speed", rate=f"{progress.rate:.2f}", eta=duration(progress.eta_seconds))
                )
            ui.label(t("jobs.times", created=when(job.created_at), finished=when(job.finished_at)))
            if job.error:
                ui.label(job.error).classes("text-negative whitespace-pre-wrap")
            self._actions(job)
            for failure in detail.failures:
                with (
                    ui.expansion(f"{failure.item_key} · {failure.kind} · {failure.message}")
                    .classes("w-full")
                    .props("data-testid=job-failure")
                ):
                    ui.label(t("jobs.attempt", n=failure.attempt, at=when(failure.created_at)))
                    text_block(failure.raw_output or t("jobs.no_output"), "job-raw-output")

    def _actions(self, job: jobs.JobView) -> None:
        with ui.row().classes("gap-2"):
            if job.status in ACTIVE and not job.cancel_requested:
                ui.button(t("jobs.cancel"), on_click=guarded(lambda: self._cancel(job.id))).props(
                    "flat color=negative data-testid=job-cancel"
                )
            if job.failed and job.status not in ACTIVE:
                ui.button(t("jobs.retry"), on_click=guarded(lambda: self._retry(job.id))).props(
                    "data-testid=job-retry"
                )
            # Left behind by a stopped server or a killed CLI run, and not queued here yet.
            waiting = self.ctx.run_jobs and job.id not in self.ctx.executor.queued()
            if waiting and job.id in find_interrupted(self.ctx.core, project_id=self.project.id):
                ui.button(t("jobs.resume"), on_click=guarded(lambda: self._resume(job.id))).props(
                    "data-testid=job-resume"
                )

    def _cancel(self, job_id: int) -> None:
        jobs.cancel_job(self.ctx.core, job_id)
        notify_ok(t("jobs.cancel_requested", id=job_id))
        self.show(job_id)

    def _retry(self, job_id: int) -> None:
        moved, _ = jobs.retry_job(self.ctx.core, job_id, run=False)
        self.ctx.submit(job_id)
        notify_ok(t("jobs.retrying", count=moved, id=job_id))
        self.show(job_id)

    def _resume(self, job_id: int) -> None:
        self.ctx.submit(job_id, resume=True)
        notify_ok(t("jobs.resumed", id=job_id))
        self.show(job_id)


def register() -> None:
    @ui.page("/projects/{project_id}/jobs")
    def jobs_page(request: Request, project_id: int, job: int | None = None) -> None:
        opened = project_page(request, project_id, "jobs")
        if opened is None:
            return
        with content():
            screen = JobsScreen(*opened)
            screen.build()
            if job is not None:
                try:
                    screen.show(job)
                except NotFoundError as exc:
                    notify_error(exc)

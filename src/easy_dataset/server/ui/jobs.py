"""The jobs screen (`/projects/{id}/jobs`): start any registered stage (its form is built
from its options, `stage_form.py`), and follow every job live (a timer polls the job rows
and the executor's latest progress; the work runs on the server's job thread, so closing
the tab stops nothing). Job types show as translated
names, times as "running since" / "finished … after …", what is left as a duration. A
job's model calls that failed or were retried (from the usage log) are listed on it, and
its failed items with kind, message and raw model output, and what its stage reports
beyond the counts (a table: Self-Instruct's rounds...), on the page itself; failed items
can be retried, jobs cancelled or resumed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from nicegui import events, ui

from easy_dataset.errors import NotFoundError
from easy_dataset.jobs import find_interrupted
from easy_dataset.jobs.lease import failure_summary
from easy_dataset.jobs.stage import all_stages, find_stage, get_stage
from easy_dataset.jobs.summary import StageSummary
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import confirm_job
from easy_dataset.server.ui.helpers import guarded, notify_error, notify_ok, when
from easy_dataset.server.ui.i18n import STRINGS, current_language, t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.server.ui.stage_form import StageForm, label_of
from easy_dataset.services import jobs, stages
from easy_dataset.services.views import ProjectView

COLUMNS = (
    "id",
    "type",
    "status",
    "done",
    "succeeded",
    "failed",
    "pending",
    "calls",
    "rate",
    "left",
)
ACTIVE = ("pending", "paused", "running")


def type_label(job_type: str) -> str:
    """A job type's name in the page's language (a stage's own label when the strings have
    none); an unknown type as it is stored."""
    key = f"jobs.type.{job_type}"
    if key in STRINGS:
        return t(key)
    stage_cls = find_stage(job_type)
    return stage_cls.label.get(current_language()) if stage_cls else job_type


def summary_table(summary: StageSummary) -> None:
    """What the job's stage reports beyond the counts: its table, totals last."""
    language = current_language()
    title = ui.label(summary.title(language)).classes("font-medium")
    title.props("data-testid=job-summary-title")
    keys = [column.key for column in summary.columns]
    columns = [
        {"name": column.key, "label": column.label(language), "field": column.key}
        for column in summary.columns
    ]
    lines = [*summary.rows, *([summary.totals] if summary.totals is not None else [])]
    rows = [
        {"line": index, **dict(zip(keys, summary.cells(line), strict=True))}
        for index, line in enumerate(lines)
    ]
    table = ui.table(columns=columns, rows=rows, row_key="line").classes("w-full")
    table.props("flat bordered dense data-testid=job-summary")


def kind_label(kind: str) -> str:
    key = f"jobs.kind.{kind}"
    return t(key) if key in STRINGS else kind


def time_left(seconds: float | None) -> str:
    """An estimate of what is left, worded as a duration ("about 18 min"), never a clock."""
    if seconds is None:
        return t("jobs.left.unknown")
    minutes = round(seconds / 60)
    if seconds < 60 or minutes < 1:
        return t("jobs.left.soon")
    if minutes < 60:
        return t("jobs.left.minutes", m=minutes)
    hours, rest = divmod(minutes, 60)
    return t("jobs.left.hours", h=hours, m=rest)


def span(seconds: float) -> str:
    """How long something took or has been going: "40 s", "12 min", "1 h 5 min"."""
    whole = max(0, round(seconds))
    if whole < 60:
        return t("jobs.span.seconds", s=whole)
    minutes = whole // 60
    if minutes < 60:
        return t("jobs.span.minutes", m=minutes)
    hours, rest = divmod(minutes, 60)
    return t("jobs.span.hours", h=hours, m=rest)


def times_line(job: jobs.JobView, now: datetime) -> str:
    """Created, then "running since" while it runs, the finish time only once finished."""
    parts = [t("jobs.created", at=when(job.created_at))]
    if job.status == "running" and job.started_at is not None:
        elapsed = span((now - job.started_at).total_seconds())
        parts.append(t("jobs.running_since", at=when(job.started_at), elapsed=elapsed))
    elif job.finished_at is not None and job.status not in ACTIVE:
        if job.started_at is not None:
            took = span((job.finished_at - job.started_at).total_seconds())
            parts.append(t("jobs.finished_at", at=when(job.finished_at), took=took))
        else:
            parts.append(t("jobs.finished_plain", at=when(job.finished_at)))
    return " · ".join(parts)


def calls_lines(calls: jobs.JobCalls) -> list[str]:
    """The job's model calls: how many, which failed (by kind), which were retried."""
    first = [t("jobs.calls", calls=calls.calls)]
    if calls.failed:
        kinds = ", ".join(
            f"{kind_label(kind)}: {count}" for kind, count in sorted(calls.kinds.items())
        )
        first.append(t("jobs.calls_failed", count=calls.failed, kinds=kinds))
    elif calls.calls:
        first.append(t("jobs.calls_clean"))
    if calls.cancelled:
        first.append(t("jobs.calls_cancelled", count=calls.cancelled))
    lines = [" · ".join(first)]
    for kind, count in sorted(calls.retried_kinds.items()):
        key = f"jobs.retried_what.{kind}"
        what = t(key) if key in STRINGS else kind_label(kind)
        if count == 1:
            lines.append(t("jobs.retried.one", what=what))
        else:
            lines.append(t("jobs.retried.many", count=count, what=what))
    return lines


def error_text(job: jobs.JobView) -> str | None:
    """The job's error for this page: the runner's summary of failed items, in the page's
    language and saying where the failures are listed."""
    if job.error is None:
        return None
    if job.failed and job.error == failure_summary(job.failed, job.total):
        return t("jobs.failed_summary", failed=job.failed, total=job.total)
    return job.error


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
        listed = jobs.list_jobs(self.ctx.core, project_ref=self.project.id)
        calls = jobs.calls_of(self.ctx.core, [job.id for job in listed])
        for job in listed:
            progress = self.ctx.executor.progress.get(job.id)
            live = progress is not None and job.status == "running"
            made = calls[job.id]
            rows.append(
                {
                    "id": job.id,
                    "type": type_label(job.type),
                    "status": t(f"jobs.status.{job.status}"),
                    "done": f"{job.succeeded + job.failed}/{job.total}",
                    "succeeded": job.succeeded,
                    "failed": job.failed,
                    "pending": job.pending,
                    "calls": (
                        t("jobs.calls_cell", calls=made.calls, failed=made.failed)
                        if made.failed
                        else str(made.calls)
                    ),
                    "rate": f"{progress.rate:.2f}/s" if live and progress else "—",
                    "left": time_left(progress.eta_seconds) if live and progress else "—",
                }
            )
        return rows

    def tick(self) -> None:
        if self.table is not None:
            rows = self.rows()
            if rows != self.table.rows:
                self.table.rows = rows
                self.table.update()
        if self.shown is None:
            return
        shown = jobs.show_job(self.ctx.core, self.shown, failures=0, summary=False)
        if self._state(shown) != self.shown_state:
            self.show(self.shown)

    @staticmethod
    def _state(detail: jobs.JobDetail) -> tuple[Any, ...]:
        """What, when it changes, redraws the open job."""
        job, calls = detail.job, detail.calls
        return (
            job.status,
            job.succeeded,
            job.failed,
            job.pending,
            job.cancel_requested,
            calls.calls,
            calls.failed,
            calls.cancelled,
        )

    def _start_form(self) -> None:
        """Any registered stage, with the form its options make (rebuilt on a new pick)."""
        language = current_language()
        labels = {cls.name: cls.label.get(language) for cls in all_stages()}
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-end gap-4"):
                stage = (
                    ui.select(labels, value="questions.generate", label=t("jobs.stage"))
                    .classes("min-w-[16rem]")
                    .props("data-testid=jobs-stage")
                )
                start_button = ui.button(t("jobs.start")).props("data-testid=jobs-start")
            help_line = ui.label().classes("text-sm text-gray-600 -mt-2")
            help_line.props("data-testid=jobs-stage-help")
            area = ui.column().classes("w-full")
            form: list[StageForm] = []

            def build() -> None:
                stage_cls = get_stage(str(stage.value))
                help_line.set_text(stage_cls.help.get(current_language()))
                area.clear()
                with area:
                    form[:] = [StageForm(self.ctx, self.project, stage_cls)]

            async def start() -> None:
                kind = str(stage.value)
                options = form[0].collect()
                scope = t("scope.all")
                if options:
                    chosen = ", ".join(
                        f"{label_of(name)}={value}" for name, value in options.items()
                    )
                    scope = t("stage_form.options", options=chosen)
                # Jobs say what they would cost first, as on the screens that start them.
                if not await confirm_job(
                    self.ctx, self.project, kind, labels[kind], scope, **options
                ):
                    return
                job_id = stages.start_stage(self.ctx.core, self.project.id, kind, **options)
                self.ctx.submit(job_id)
                notify_ok(t("jobs.started", id=job_id))
                self.show(job_id)
                self.tick()

            build()
            stage.on_value_change(guarded(build))
            start_button.on_click(guarded(start))
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
        self.shown_state = self._state(detail)
        if self.detail is None:
            return
        self.detail.clear()
        progress = self.ctx.executor.progress.get(job_id)
        done = job.succeeded + job.failed
        with self.detail, ui.card().classes("w-full").props(f"data-testid=job-{job_id}"):
            ui.label(t("jobs.detail_title", id=job.id, type=type_label(job.type))).classes(
                "text-lg"
            )
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
                rate = f"{progress.rate:.2f}"
                if progress.eta_seconds is None:
                    speed = t("jobs.speed_estimating", rate=rate)
                else:
                    speed = t("jobs.speed_left", rate=rate, left=time_left(progress.eta_seconds))
                ui.label(speed).props("data-testid=job-speed")
            ui.label(times_line(job, datetime.now(UTC))).props("data-testid=job-times")
            with ui.column().classes("gap-0").props("data-testid=job-calls"):
                for line in calls_lines(detail.calls):
                    ui.label(line).classes("text-sm")
            error = error_text(job)
            if error:
                ui.label(error).classes("text-negative whitespace-pre-wrap").props(
                    "data-testid=job-error"
                )
            self._actions(job)
            if detail.summary is not None:
                summary_table(detail.summary)
            if detail.failures:
                ui.label(t("jobs.failures_title", count=job.failed)).classes("font-medium")
            for failure in detail.failures:
                title = f"{failure.item_key} · {kind_label(failure.kind)} · {failure.message}"
                with ui.expansion(title).classes("w-full").props("data-testid=job-failure"):
                    ui.label(t("jobs.attempt", n=failure.attempt, at=when(failure.created_at)))
                    ui.label(t("jobs.failure_message")).classes("text-sm font-medium")
                    ui.label(failure.message).classes("text-sm whitespace-pre-wrap break-all")
                    ui.label(t("jobs.raw_reply")).classes("text-sm font-medium")
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

"""The fine-tuning screen (`/projects/{id}/training`): start a `train.run` job with the form
its `Params` make (`stage_form.py`), list the project's runs (newest first) and follow one:
its loss and learning-rate curves in a chart, step, time left, final figures, files and
the tuned model's configuration. A timer reads the runs every second while one of them
moves and stops when none does; the list and the chart are updated in place (no redraw).
Runs are cancelled through their job and resumed from their last checkpoint
(`services/training/start.reopen_run`); both run on the server's job thread, so closing
the tab stops nothing. Without the `train` extra the screen says what to install."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import events, ui

from easy_dataset.errors import MissingExtraError
from easy_dataset.jobs.stage import get_stage
from easy_dataset.server.ui import training_view as shown
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import current_language, t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.stage_form import StageForm
from easy_dataset.services import jobs, stages, training
from easy_dataset.services.training import TrainingRunView
from easy_dataset.services.training.jobs import TYPE
from easy_dataset.services.training.start import check_extra, reopen_run
from easy_dataset.services.views import ProjectView

TICK_SECONDS = 1.0
JOB_ACTIVE = ("pending", "paused", "running")


def pairs_grid() -> ui.grid:
    """Two columns, names and values, the values taking the rest of the width."""
    return ui.grid().classes("gap-x-6 gap-y-0").style("grid-template-columns: auto 1fr")


def read_runner(ctx: UiContext, project_id: int) -> shown.Runner:
    return shown.Runner(
        queued=frozenset(ctx.executor.queued()),
        interrupted=frozenset(jobs.interrupted_jobs(ctx.core, project_ref=project_id)),
    )


def snapshot(ctx: UiContext, project_id: int) -> tuple[list[TrainingRunView], shown.Runner]:
    """The runs and the runner's state, read together off the event loop."""
    return training.list_runs(ctx.core, project_id), read_runner(ctx, project_id)


class TrainingScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, run_id: int | None) -> None:
        self.ctx = ctx
        self.project = project
        self.selected = run_id
        self.runs: dict[int, TrainingRunView] = {}
        self.runner = shown.Runner(frozenset(), frozenset())
        self.waiting: set[int] = set()  # jobs started here whose run has not begun yet
        self.waiting_shown: set[int] = set()
        self.follow: int | None = None  # a job started here: open its run once it exists
        self.cancelling: set[int] = set()  # runs asked to stop, until they have
        self.reads = 0  # requests made, so that only the latest one draws
        self.open_id: int | None = None  # the run whose panel is built
        self.open_state: tuple[Any, ...] = ()
        self.drawn: list[list[list[float]]] = []

    def build(self) -> None:
        ui.label(t("training.title")).classes("text-2xl")
        ui.label(t("training.hint")).classes("text-sm text-gray-600")
        try:
            check_extra()
        except MissingExtraError as exc:
            ui.label(t("training.missing_extra", error=str(exc))).classes(
                "text-orange-800 bg-orange-50 p-2 rounded w-full"
            ).props("data-testid=training-missing-extra")
        self._start_form()
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center"):
                ui.label(t("training.runs")).classes("text-lg")
                ui.space()
                ui.button(
                    t("training.refresh"), icon="refresh", on_click=guarded(self.refresh)
                ).props("flat data-testid=training-refresh")
            self.waiting_area = ui.column().classes("gap-0 text-sm text-gray-600")
            self.waiting_area.props("data-testid=training-waiting")
            self.empty = ui.label(t("training.no_runs")).props("data-testid=training-no-runs")
            columns = [
                {"name": key, "label": t(f"training.col.{key}"), "field": key, "align": "left"}
                for key in shown.COLUMNS
            ]
            self.table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full")
            self.table.props("flat bordered dense data-testid=training-runs")
            self.table.on("rowClick", guarded(self._row_click), [[], ["id"], None])
        self.detail = ui.card().classes("w-full").props("data-testid=training-detail")
        with self.detail:
            ui.label(t("training.pick")).classes("text-sm text-gray-600")
        self.timer = ui.timer(TICK_SECONDS, guarded(self.refresh), active=False)
        ui.timer(0, guarded(self.refresh), once=True)

    def _start_form(self) -> None:
        stage_cls = get_stage(TYPE)
        with (
            ui.expansion(t("training.new_run"), icon="model_training", value=True)
            .classes("w-full border rounded")
            .props("data-testid=training-new")
        ):
            ui.label(stage_cls.help.get(current_language())).classes("text-sm text-gray-600")
            form = StageForm(self.ctx, self.project, stage_cls)
            start = ui.button(t("training.start"), icon="play_arrow")
            start.on_click(guarded(lambda: self._start(form))).props("data-testid=training-start")
            if not self.ctx.run_jobs:
                ui.label(t("jobs.not_running")).classes("text-sm text-orange-700")

    async def _start(self, form: StageForm) -> None:
        check_extra()
        options = form.collect()
        core, project_id = self.ctx.core, self.project.id
        found = await off_loop(stages.estimate_stage, core, project_id, TYPE, **options)
        if found.items == 0:
            ui.notify(t("training.nothing"), type="warning", multi_line=True)
            return
        job_id = await off_loop(stages.start_stage, core, project_id, TYPE, **options)
        self.ctx.submit(job_id)
        self.waiting.add(job_id)
        self.follow = job_id
        notify_ok(t("training.started", id=job_id))
        await self.refresh()

    async def refresh(self) -> None:
        self.reads += 1
        mine = self.reads
        listed, runner = await off_loop(snapshot, self.ctx, self.project.id)
        if mine != self.reads:
            return
        before = {run_id: self.runner.status(run) for run_id, run in self.runs.items()}
        was_live = {run_id for run_id, run in self.runs.items() if self.runner.live(run)}
        # A short run may begin and end between two reads: it is announced all the same.
        started_here = {run.id for run in listed if run.job_id in self.waiting}
        self.runs = {run.id: run for run in listed}
        self.runner = runner
        self._announce(before, was_live | started_here)
        await self._settle_waiting(listed)
        rows = [shown.row(run, runner) for run in listed]
        if rows != self.table.rows:
            self.table.rows = rows
            self.table.update()
        self.empty.set_visibility(not listed)
        self.table.set_visibility(bool(listed))
        if self.selected not in self.runs:
            self.selected = listed[0].id if listed else None
        if self.selected is not None:
            self._show(self.runs[self.selected])
        live = bool(self.waiting) or any(runner.live(run) for run in listed)
        if live != self.timer.active:
            self.timer.active = live

    def _announce(self, before: dict[int, str], followed: set[int]) -> None:
        """A notice when a run that moved on this page, or was started here, ends."""
        for run_id in sorted(followed):
            run = self.runs.get(run_id)
            if run is None or self.runner.live(run) or before.get(run_id) == run.status:
                continue
            self.cancelling.discard(run_id)
            if run.status == "done":
                notify_ok(t("training.finished", id=run_id))
            elif run.status == "failed":
                failed = t("training.failed", id=run_id, error=run.error)
                ui.notify(failed, type="negative", multi_line=True)

    async def _settle_waiting(self, listed: list[TrainingRunView]) -> None:
        """Jobs started here leave the waiting list when their run appears or they end
        without one (an error before training began is shown then)."""
        by_job = {run.job_id: run.id for run in listed}
        for job_id in sorted(self.waiting):
            if job_id in by_job:
                self.waiting.discard(job_id)
                if self.follow == job_id:
                    self.follow = None
                    self._select(by_job[job_id])
                continue
            detail = await off_loop(jobs.show_job, self.ctx.core, job_id, failures=0, summary=False)
            if detail.job.status not in JOB_ACTIVE:
                self.waiting.discard(job_id)
                if detail.job.error:
                    ui.notify(detail.job.error, type="negative", multi_line=True)
        if self.waiting != self.waiting_shown:
            self.waiting_shown = set(self.waiting)
            self.waiting_area.clear()
            with self.waiting_area:
                for job_id in sorted(self.waiting):
                    ui.label(t("training.waiting", id=job_id))

    def _row_click(self, event: events.GenericEventArguments) -> None:
        run_id = int(event.args[1]["id"])
        self._select(run_id)
        self._show(self.runs[run_id])

    def _select(self, run_id: int) -> None:
        self.selected = run_id
        ui.navigate.history.replace(project_path(self.project.id, "training") + f"?run={run_id}")

    def _show(self, run: TrainingRunView) -> None:
        """The selected run's panel: built when another run is picked, then updated."""
        if run.id != self.open_id:
            self._build_panel(run)
        self.title.set_text(t("training.detail_title", id=run.id, name=run.name))
        self.status.set_text(shown.status_label(self.runner.status(run)))
        self.bar.set_value(run.step / run.total_steps if run.total_steps else 0)
        self.progress.set_text(shown.progress_text(run, self.runner))
        series = shown.chart_series(run)
        if series != self.drawn:
            self.drawn = series
            for index, data in enumerate(series):
                self.chart.options["series"][index]["data"] = data
            self.chart.update()
        self.points.set_text(shown.points_text(run))
        state = (
            self.runner.status(run),
            self.runner.live(run),
            self.runner.resumable(run),
            run.id in self.cancelling,
            run.error,
            run.model_name,
            run.metrics,
            run.outputs,
        )
        if state != self.open_state:
            self.open_state = state
            self._actions(run)
            self._results(run)

    def _build_panel(self, run: TrainingRunView) -> None:
        self.open_id = run.id
        self.open_state = ()
        self.drawn = shown.chart_series(run)
        self.detail.clear()
        with self.detail:
            self.title = ui.label().classes("text-lg").props("data-testid=training-title")
            with ui.row().classes("items-center gap-4"):
                self.status = ui.badge().props("data-testid=training-status")
                self.progress = ui.label().props("data-testid=training-progress")
            self.bar = ui.linear_progress(value=0, show_value=False)
            self.actions = ui.row().classes("gap-2")
            ui.label(t("training.chart")).classes("font-medium")
            self.chart = ui.echart(shown.chart_options(run), renderer="svg")
            self.chart.classes("w-full h-80").props("data-testid=training-chart")
            self.points = ui.label().classes("text-sm").props("data-testid=training-points")
            self.results = ui.column().classes("w-full gap-2")

    def _actions(self, run: TrainingRunView) -> None:
        self.actions.clear()
        with self.actions:
            if run.error:
                ui.label(run.error).classes("text-negative whitespace-pre-wrap").props(
                    "data-testid=training-error"
                )
            if self.runner.live(run) and run.id not in self.cancelling:
                cancel = ui.button(t("training.cancel"), icon="stop")
                cancel.on_click(guarded(lambda: self._cancel(run.id)))
                cancel.props("flat color=negative data-testid=training-cancel")
            if self.runner.resumable(run):
                resume = ui.button(t("training.resume"), icon="play_arrow")
                resume.on_click(guarded(lambda: self._resume(run.id)))
                resume.props("data-testid=training-resume")

    def _results(self, run: TrainingRunView) -> None:
        self.results.clear()
        with self.results:
            if run.model_name:
                ui.label(t("training.model", name=run.model_name)).classes("font-medium").props(
                    "data-testid=training-model"
                )
            figures = {name: value for name, value in run.metrics.items() if name != "evaluation"}
            if figures:
                ui.label(t("training.metrics")).classes("font-medium")
                with pairs_grid().classes("text-sm"):
                    for name, value in figures.items():
                        ui.label(shown.metric_label(name))
                        ui.label(shown.figure(value)).props(f"data-testid=training-metric-{name}")
            self._evaluation(run.metrics.get("evaluation"))
            if run.outputs:
                ui.label(t("training.outputs")).classes("font-medium")
                with pairs_grid().classes("text-sm"):
                    for name, path in run.outputs.items():
                        ui.label(name)
                        ui.label(str(path)).classes("break-all font-mono").props(
                            f"data-testid=training-output-{name}"
                        )
            settings = ui.expansion(t("training.settings")).classes("w-full text-sm")
            with settings, pairs_grid():
                for name, value in run.settings.items():
                    ui.label(name)
                    ui.label(shown.figure(value)).classes("break-all")

    def _evaluation(self, record: Any) -> None:
        """The base-versus-tuned evaluation the run asked for: where to compare, or why it
        could not start."""
        if not isinstance(record, dict):
            return
        eval_set = str(record.get("eval_set", ""))
        with (
            ui.row().classes("items-center gap-2 text-sm").props("data-testid=training-evaluation")
        ):
            if record.get("error"):
                ui.label(t("training.evaluation_error", set=eval_set, error=record["error"]))
                return
            ui.label(
                t(
                    "training.evaluation",
                    set=eval_set,
                    base=record.get("base_model", ""),
                    tuned=record.get("tuned_model", ""),
                )
            )
            ui.link(t("training.evaluation_open"), project_path(self.project.id, "evaluations"))

    async def _cancel(self, run_id: int) -> None:
        job_id = self.runs[run_id].job_id
        if job_id is None:  # no job, nothing moves: never offered
            return
        await off_loop(jobs.cancel_job, self.ctx.core, job_id)
        self.cancelling.add(run_id)
        notify_ok(t("training.cancelling", id=run_id))
        await self.refresh()

    async def _resume(self, run_id: int) -> None:
        check_extra()
        job_id = await off_loop(reopen_run, self.ctx.core, self.project.id, run_id)
        self.ctx.submit(job_id)
        self.cancelling.discard(run_id)
        notify_ok(t("training.resumed", id=run_id))
        await self.refresh()


def register() -> None:
    @ui.page("/projects/{project_id}/training")
    def training_page(request: Request, project_id: int, run: int | None = None) -> None:
        opened = project_page(request, project_id, "training")
        if opened is None:
            return
        with content():
            TrainingScreen(*opened, run).build()

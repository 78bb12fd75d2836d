"""The "Run checks" tab of the quality screen: a card per check with its options; each
starts the check as a job and follows it live (a line per job, linked to the Jobs screen).
Benchmark files for the contamination check are uploaded, listed and removed here."""

from __future__ import annotations

from typing import Any

from nicegui import events, ui

from easy_dataset.errors import InputError
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, Reload
from easy_dataset.server.ui.helpers import confirm, guarded, human_size, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import models, quality
from easy_dataset.services.generation import Estimate
from easy_dataset.services.quality.benchmark_files import MAX_BYTES as MAX_BENCHMARK_BYTES
from easy_dataset.services.quality.checks import job_type as check_job_type
from easy_dataset.services.quality_results import TARGETS as DEDUP_TARGETS
from easy_dataset.services.views import ProjectView
from easy_dataset.types import DEFAULT_JUDGE_WEIGHTS, QualitySettings

DEDUP_MODES = ("exact", "minhash", "semantic")
PII_ACTIONS = ("flag", "mask")
BENCHMARK_SUFFIXES = ".jsonl,.json,.csv,.txt"


class QualityLauncher(JobLauncher):
    """`JobLauncher` for quality checks: `kind` is the check's name (see `quality.checks()`)."""

    async def plan(self, kind: str, **options: Any) -> int:
        return await off_loop(quality.start_check, self.ctx.core, self.project.id, kind, **options)

    async def estimate(self, kind: str, **options: Any) -> Estimate:
        return await off_loop(
            quality.estimate_check, self.ctx.core, self.project.id, kind, **options
        )

    def job_type(self, kind: str) -> str:
        return check_job_type(kind)


def _blank(value: float | None) -> float | None:
    """A number field's value, None when empty."""
    return None if value is None else float(value)


class ChecksSection:
    def __init__(self, ctx: UiContext, project: ProjectView, on_done: Reload) -> None:
        self.ctx = ctx
        self.project = project
        self.on_done = on_done
        self.settings: QualitySettings = quality.get_quality_settings(ctx.core, project.id)
        self.benchmarks: ui.column | None = None
        self.launcher: QualityLauncher | None = None

    def build(self) -> None:
        if not self.ctx.run_jobs:
            ui.label(t("jobs.not_running")).classes("text-sm text-orange-700")
        self.launcher = QualityLauncher(self.ctx, self.project, self.on_done)
        with ui.element("div").classes("w-full grid gap-4 md:grid-cols-2"):
            self._judge()
            self._ground()
            self._dedup()
            self._pii()
            self._refs()
            self._hygiene()
            self._contamination()
            self._sample()

    async def _start(self, check: str, **options: Any) -> None:
        assert self.launcher is not None
        await self.launcher.start(check, **options)

    def _card(self, check: str) -> ui.card:
        card = ui.card().classes("w-full gap-2").props(f"data-testid=quality-card-{check}")
        with card:
            ui.label(t(f"quality.check.{check}")).classes("text-lg")
            ui.label(t(f"quality.check.{check}.help")).classes("text-sm text-gray-600")
        return card

    def _run_button(self, check: str, run: Any) -> None:
        ui.button(t("quality.run"), icon="play_arrow", on_click=guarded(run)).props(
            f"data-testid=quality-run-{check}"
        )

    # -- the checks ------------------------------------------------------------------------

    def _judge(self) -> None:
        configs = [view.name for view in models.list_models(self.ctx.core, self.project.id)]
        chosen = self.settings.judge_model
        default = t("quality.judge.default", model=chosen) if chosen else t("jobs.default_model")
        with self._card("judge"):
            model = ui.select(
                {"": default} | {name: name for name in configs}, value="", label=t("jobs.model")
            ).classes("min-w-[14rem]")
            model.props("data-testid=quality-judge-model")
            ui.label(t("quality.judge.weights")).classes("text-sm font-medium")
            weights: dict[str, ui.number] = {}
            with ui.row().classes("gap-2"):
                for criterion in DEFAULT_JUDGE_WEIGHTS:
                    field = ui.number(
                        t(f"quality.criterion.{criterion}"),
                        value=self.settings.judge_weights.get(criterion),
                        min=0,
                        step=0.5,
                    )
                    field.classes("w-28").props(f"dense data-testid=quality-weight-{criterion}")
                    weights[criterion] = field
            redo = ui.checkbox(t("quality.redo")).props("data-testid=quality-judge-redo")

            async def run() -> None:
                chosen = {k: float(f.value) for k, f in weights.items() if f.value is not None}
                assert self.launcher is not None
                scope = t("estimate.judge.all" if redo.value else "estimate.judge.unjudged")
                await self.launcher.start_after_estimate(
                    "judge",
                    t("estimate.title.judge"),
                    scope,
                    model=model.value or None,
                    weights=chosen or None,
                    redo=True if redo.value else None,
                )

            self._run_button("judge", run)

    def _ground(self) -> None:
        with self._card("ground"):
            threshold = ui.number(
                t("quality.ground.threshold"),
                value=self.settings.grounding_threshold,
                min=0,
                max=1,
                step=0.05,
            )
            threshold.classes("w-48").props("clearable data-testid=quality-ground-threshold")
            ui.label(t("quality.blank_default")).classes("text-xs text-gray-600")
            redo = ui.checkbox(t("quality.redo")).props("data-testid=quality-ground-redo")

            async def run() -> None:
                await self._start(
                    "ground",
                    threshold=_blank(threshold.value),
                    redo=True if redo.value else None,
                )

            self._run_button("ground", run)

    def _dedup(self) -> None:
        with self._card("dedup"), ui.row().classes("items-end gap-2"):
            target = ui.select(
                {key: t(f"quality.dedup.target.{key}") for key in DEDUP_TARGETS},
                value="qa",
                label=t("quality.dedup.target"),
            ).classes("min-w-[9rem]")
            target.props("data-testid=quality-dedup-target")
            mode = ui.select(
                {key: t(f"quality.dedup.mode.{key}") for key in DEDUP_MODES},
                value=self.settings.dedup_mode,
                label=t("quality.dedup.mode"),
            ).classes("min-w-[9rem]")
            mode.props("data-testid=quality-dedup-mode")
            threshold = ui.number(
                t("quality.dedup.threshold"),
                value=self.settings.dedup_threshold,
                min=0.01,
                max=1,
                step=0.05,
            )
            threshold.classes("w-40").props("clearable data-testid=quality-dedup-threshold")
            # A Jaccard threshold means nothing as a cosine one: another mode starts from its own.
            mode.on_value_change(lambda _: threshold.set_value(None))

            async def run() -> None:
                await self._start(
                    "dedup",
                    target=str(target.value),
                    mode=str(mode.value),
                    threshold=_blank(threshold.value),
                )

            self._run_button("dedup", run)

    def _pii(self) -> None:
        with self._card("pii"), ui.row().classes("items-end gap-2"):
            action = ui.select(
                {key: t(f"quality.pii.action.{key}") for key in PII_ACTIONS},
                value=self.settings.pii_action,
                label=t("quality.pii.action"),
            ).classes("min-w-[12rem]")
            action.props("data-testid=quality-pii-action")

            async def run() -> None:
                if action.value == "mask" and not await confirm(
                    t("quality.pii.confirm_mask"), action=t("quality.run")
                ):
                    return
                await self._start("pii", action=str(action.value))

            self._run_button("pii", run)

    def _refs(self) -> None:
        with self._card("refs"):
            self._run_button("refs", lambda: self._start("refs"))

    def _hygiene(self) -> None:
        with self._card("hygiene"):
            self._run_button("hygiene", lambda: self._start("hygiene"))

    def _contamination(self) -> None:
        with self._card("contamination"):
            upload = ui.upload(
                auto_upload=True,
                multiple=True,
                max_file_size=self._upload_limit(),
                label=t("quality.cont.upload"),
                on_upload=guarded(self._uploaded),
                on_rejected=lambda: ui.notify(
                    t("files.rejected", limit=human_size(self._upload_limit())), type="warning"
                ),
            ).classes("w-full")
            upload.props["accept"] = BENCHMARK_SUFFIXES
            upload.props("data-testid=quality-bench-upload")
            self.benchmarks = ui.column().classes("w-full gap-1")
            ui.timer(0, guarded(self._show_benchmarks), once=True)
            with ui.row().classes("items-end gap-2"):
                n = ui.number(
                    t("quality.cont.n"),
                    value=self.settings.contamination_ngram,
                    min=3,
                    max=50,
                    step=1,
                )
                n.classes("w-32").props("data-testid=quality-cont-n")

                async def run() -> None:
                    await self._start("contamination", n=int(n.value) if n.value else None)

                self._run_button("contamination", run)

    def _upload_limit(self) -> int:
        return min(self.ctx.core.settings.max_file_bytes, MAX_BENCHMARK_BYTES)

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        limit = self._upload_limit()
        if event.file.size() > limit:  # the browser's check can be bypassed
            raise InputError(t("files.too_large", limit=human_size(limit)))
        data = await event.file.read()
        view = await off_loop(
            quality.add_benchmark, self.ctx.core, self.project.id, event.file.name, data
        )
        notify_ok(t("quality.cont.added", name=view.name, items=view.items))
        await self._show_benchmarks()

    async def _show_benchmarks(self) -> None:
        if self.benchmarks is None:
            return
        views = await off_loop(quality.list_benchmarks, self.ctx.core, self.project.id)
        self.benchmarks.clear()
        with self.benchmarks:
            if not views:
                ui.label(t("quality.cont.none")).classes("text-sm text-gray-600").props(
                    "data-testid=quality-bench-none"
                )
            for index, view in enumerate(views):
                with (
                    ui.row()
                    .classes("w-full items-center gap-2")
                    .props(f"data-testid=quality-bench-{index}")
                ):
                    ui.label(view.name).classes("text-sm font-medium")
                    ui.label(t("quality.cont.items", items=view.items)).classes("text-sm")
                    ui.space()
                    ui.button(
                        icon="delete",
                        on_click=guarded(
                            lambda stored=view.id, name=view.name: self._remove(stored, name)
                        ),
                    ).props(f"flat dense color=negative data-testid=quality-bench-remove-{index}")

    async def _remove(self, stored: str, name: str) -> None:
        if not await confirm(t("quality.cont.confirm_remove", name=name)):
            return
        await off_loop(quality.delete_benchmark, self.ctx.core, self.project.id, stored)
        notify_ok(t("quality.cont.removed", name=name))
        await self._show_benchmarks()

    def _sample(self) -> None:
        with self._card("sample"), ui.row().classes("items-end gap-2"):
            percent = ui.number(
                t("quality.sample.fraction"),
                value=round(self.settings.sample_fraction * 100, 4),
                min=0.01,
                max=100,
                step=1,
                suffix="%",
            )
            percent.classes("w-40").props("data-testid=quality-sample-fraction")

            async def run() -> None:
                status = await off_loop(quality.sample_status, self.ctx.core, self.project.id)
                if status.reviewed and not await confirm(
                    t("quality.sample.confirm_redraw", reviewed=status.reviewed),
                    action=t("quality.run"),
                ):
                    return
                share = None if percent.value is None else float(percent.value) / 100
                await self._start("sample", fraction=share)

            self._run_button("sample", run)

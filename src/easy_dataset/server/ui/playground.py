"""The playground screen (`/projects/{id}/playground`): a prompt, a system prompt and sampling
parameters for up to three of the project's models; their answers stream into columns side
by side as they come, with tokens and latency under each once it is done. Stop ends every
call still running (each is logged as cancelled)."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import EasyDatasetError
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import notify_error, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services import models
from easy_dataset.services.evaluation.playground import (
    MAX_MODELS,
    MAX_PROMPT,
    MAX_SYSTEM,
    PlaygroundEvent,
    PlaygroundPlan,
    PlaygroundResult,
    plan_playground,
    stream_plan,
)
from easy_dataset.services.views import ProjectView


class Column:
    """One model's answer as it grows, and its figures once it is done."""

    def __init__(self, index: int) -> None:
        self.card = ui.card().classes("flex-1 min-w-0")
        self.card.props(f"data-testid=playground-column-{index}")
        self.card.set_visibility(False)
        with self.card:
            self.title = ui.label().classes("font-medium")
            self.title.props(f"data-testid=playground-model-{index}")
            self.reasoning = ui.label().classes("text-sm text-gray-500 whitespace-pre-wrap")
            self.reasoning.props(f"data-testid=playground-reasoning-{index}")
            self.answer = ui.label().classes("whitespace-pre-wrap break-words")
            self.answer.props(f"data-testid=playground-answer-{index}")
            self.stats = ui.label().classes("text-sm text-gray-600")
            self.stats.props(f"data-testid=playground-stats-{index}")
        self.text = ""
        self.thought = ""

    def start(self, name: str) -> None:
        self.title.set_text(name)
        self.text = self.thought = ""
        self.answer.set_text("")
        self.reasoning.set_text("")
        self.stats.set_text(t("playground.waiting"))

    def add(self, event: PlaygroundEvent) -> None:
        if event.kind == "reasoning":
            self.thought += event.text
            self.reasoning.set_text(self.thought)
        else:
            self.text += event.text
            self.answer.set_text(self.text)
            self.stats.set_text("")

    def finish(self, result: PlaygroundResult) -> None:
        if result.error is not None:
            self.stats.set_text(
                t("playground.failed", kind=result.error_kind or "", error=result.error)
            )
            return
        self.answer.set_text(result.text)  # with any <think> block split off
        self.reasoning.set_text(result.reasoning or "")
        self.stats.set_text(stats_text(result))


def stats_text(result: PlaygroundResult) -> str:
    about = t("playground.estimated") if result.usage_estimated else ""
    text = t(
        "playground.stats",
        tokens=f"{about}{result.completion_tokens}",
        prompt=f"{about}{result.prompt_tokens}",
        latency=result.latency_ms,
        first=result.first_token_ms if result.first_token_ms is not None else "–",
    )
    if result.tokens_per_second is not None:
        text += t("playground.speed", speed=f"{result.tokens_per_second:g}")
    return text


class PlaygroundScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.task: asyncio.Task[None] | None = None

    def build(self) -> None:
        ui.label(t("playground.title")).classes("text-2xl")
        ui.label(t("playground.help")).classes("text-gray-600")
        names = [view.name for view in models.list_models(self.ctx.core, self.project.id)]
        if not names:
            ui.label(t("playground.no_models")).props("data-testid=playground-no-models")
        self.system = ui.textarea(t("playground.system")).classes("w-full")
        self.system.props(f"autogrow maxlength={MAX_SYSTEM} data-testid=playground-system")
        self.prompt = ui.textarea(t("playground.prompt")).classes("w-full")
        self.prompt.props(f"autogrow maxlength={MAX_PROMPT} data-testid=playground-prompt")
        with ui.row().classes("w-full items-end gap-4"):
            self.temperature = ui.number(t("playground.temperature"), min=0, max=2, step=0.1)
            self.temperature.props("clearable data-testid=playground-temperature")
            self.max_tokens = ui.number(t("playground.max_tokens"), min=1, step=1, format="%d")
            self.max_tokens.props("clearable data-testid=playground-max-tokens")
            self.top_p = ui.number(t("playground.top_p"), min=0.01, max=1, step=0.05)
            self.top_p.props("clearable data-testid=playground-top-p")
        with ui.row().classes("w-full items-end gap-4"):
            self.selects = []
            for index in range(MAX_MODELS):
                first = names[0] if index == 0 and names else None
                select = ui.select(
                    names, label=t("playground.model", n=index + 1), value=first, clearable=True
                ).classes("min-w-[12rem]")
                self.selects.append(select.props(f"data-testid=playground-select-{index}"))
            self.run_button = ui.button(t("playground.run"), on_click=self.run)
            self.run_button.props("data-testid=playground-run")
            self.stop_button = ui.button(t("playground.stop"), on_click=self.stop, color="negative")
            self.stop_button.props("flat data-testid=playground-stop")
            self.stop_button.set_enabled(False)
        with ui.row().classes("w-full items-stretch gap-4 flex-nowrap") as self.board:
            self.columns = [Column(index) for index in range(MAX_MODELS)]

    async def run(self) -> None:
        chosen = [select.value for select in self.selects if select.value]
        if not chosen:
            ui.notify(t("playground.choose"), type="warning")
            return
        try:
            plan = await off_loop(
                plan_playground,
                self.ctx.core,
                self.project.id,
                self.prompt.value or "",
                models=chosen,
                system=self.system.value or None,
                temperature=_number(self.temperature.value),
                max_tokens=_whole(self.max_tokens.value),
                top_p=_number(self.top_p.value),
            )
        except EasyDatasetError as exc:
            notify_error(exc)
            return
        for index, column in enumerate(self.columns):
            column.card.set_visibility(index < len(chosen))
            if index < len(chosen):
                column.start(chosen[index])
        self.run_button.set_enabled(False)
        self.stop_button.set_enabled(True)
        self.task = asyncio.create_task(self._consume(plan, chosen))
        with suppress(asyncio.CancelledError):
            await self.task
        self.task = None
        self.run_button.set_enabled(True)
        self.stop_button.set_enabled(False)

    async def _consume(self, plan: PlaygroundPlan, chosen: list[str]) -> None:
        columns = dict(zip(chosen, self.columns, strict=False))
        finished: set[str] = set()
        try:
            # Inside the board, so that strings come in the page's language in this task.
            with self.board:
                async for event in stream_plan(self.ctx.core, plan):
                    column = columns[event.model]
                    if event.result is not None:
                        finished.add(event.model)
                        column.finish(event.result)
                    else:
                        column.add(event)
        except asyncio.CancelledError:
            with self.board:
                for name, column in columns.items():
                    if name not in finished:
                        column.stats.set_text(t("playground.stopped"))
            raise

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _whole(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def register() -> None:
    @ui.page("/projects/{project_id}/playground")
    def playground_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "playground")
        if opened is None:
            return
        with content():
            PlaygroundScreen(*opened).build()

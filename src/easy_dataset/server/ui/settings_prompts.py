"""Settings → prompts: every prompt per language, its default, the project's override
(edit, save, reset) and the diff between them. Templates are shown as plain text."""

from __future__ import annotations

from typing import Any

from nicegui import events, ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import prompts
from easy_dataset.services.views import ProjectView


def text_block(text: str, testid: str) -> ui.label:
    """Multi-line text shown exactly, in a monospaced font (never parsed as HTML)."""
    block = ui.label(text).classes(
        "font-mono text-sm whitespace-pre-wrap break-words w-full bg-gray-100 p-2 rounded"
    )
    block.props(f"data-testid={testid}")
    return block


class PromptsSection:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.table: ui.table | None = None
        self.editor: ui.column | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": f"{view.name}.{view.language}",
                "name": view.name,
                "language": view.language,
                "version": view.version,
                "overridden": t("common.yes") if view.overridden else "",
                "description": view.description,
            }
            for view in prompts.list_prompts(self.ctx.core, self.project.id)
        ]

    def build(self) -> None:
        columns = [
            {"name": key, "label": t(f"prompts.col.{key}"), "field": key, "align": "left"}
            for key in ("name", "language", "version", "overridden", "description")
        ]
        self.table = ui.table(columns=columns, rows=self.rows(), row_key="key")
        self.table.classes("w-full").props("flat bordered dense data-testid=prompts-table")
        self.table.on("rowClick", guarded(self._open), [[], ["name", "language"], None])
        ui.label(t("prompts.pick")).classes("text-sm text-gray-600")
        self.editor = ui.column().classes("w-full")

    def _reload(self, name: str, language: str) -> None:
        if self.table is not None:
            self.table.rows = self.rows()
            self.table.update()
        self._show(name, language)

    def _open(self, event: events.GenericEventArguments) -> None:
        row = event.args[1]
        self._show(str(row["name"]), str(row["language"]))

    def _show(self, name: str, language: str) -> None:
        detail = prompts.show_prompt(self.ctx.core, self.project.id, name, language)
        assert self.editor is not None
        self.editor.clear()
        with self.editor, ui.card().classes("w-full"):
            title = f"{detail.name} ({detail.language}) · v{detail.version}"
            ui.label(title).classes("text-lg").props("data-testid=prompt-title")
            ui.label(detail.description).classes("text-sm")
            if detail.overridden:
                ui.badge(t("prompts.overridden"))
            editor = ui.textarea(t("prompts.template"), value=detail.template)
            editor.classes("w-full font-mono").props("autogrow data-testid=prompt-editor")

            def save() -> None:
                prompts.set_prompt(self.ctx.core, self.project.id, name, language, editor.value)
                notify_ok(t("common.saved"))
                self._reload(name, language)

            async def reset() -> None:
                if await confirm(t("prompts.confirm_reset"), action=t("prompts.reset")):
                    prompts.reset_prompt(self.ctx.core, self.project.id, name, language)
                    self._reload(name, language)

            def show(title: str, text: str, testid: str) -> None:
                with ui.dialog() as dialog, ui.card().classes("w-[60rem] max-w-full"):
                    ui.label(title).classes("text-lg")
                    text_block(text, testid)
                    ui.button(t("common.close"), on_click=dialog.close)
                dialog.open()

            with ui.row().classes("gap-2"):
                ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=prompt-save")
                ui.button(
                    t("prompts.default"),
                    on_click=lambda: show(t("prompts.default"), detail.default, "prompt-default"),
                ).props("flat")
                if detail.overridden:
                    diff = prompts.diff_prompt(self.ctx.core, self.project.id, name, language)
                    ui.button(
                        t("prompts.diff"),
                        on_click=lambda: show(t("prompts.diff"), diff, "prompt-diff"),
                    ).props("flat data-testid=prompt-diff-button")
                    ui.button(t("prompts.reset"), on_click=guarded(reset)).props(
                        "flat color=negative data-testid=prompt-reset"
                    )

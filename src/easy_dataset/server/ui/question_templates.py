"""The questions screen's templates tab: question templates (a fixed question asked of
every chunk, answered as text, one of a set of labels, or JSON following a schema) listed,
added, edited and deleted; "apply" starts a `templates.apply` job."""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from easy_dataset.errors import InputError
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, dialog
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.services.generation import templates
from easy_dataset.services.generation.templates import TemplateView
from easy_dataset.services.views import ProjectView

TYPES = ("text", "label", "json")


class TemplateFields:
    """The inputs of a template: question, answer type, labels or a JSON schema."""

    def __init__(self, template: TemplateView | None, prefix: str) -> None:
        self.question = ui.input(
            t("questions.tpl.question"), value=template.question if template else ""
        ).classes("w-full")
        self.question.props(f"data-testid={prefix}-question")
        self.kind = ui.select(
            {kind: t(f"questions.tpl.type.{kind}") for kind in TYPES},
            value=template.answer_type if template else "text",
            label=t("questions.tpl.type"),
        ).classes("min-w-[10rem]")
        self.kind.props(f"data-testid={prefix}-type")
        self.labels = ui.textarea(
            t("questions.tpl.labels"), value="\n".join(template.labels) if template else ""
        ).classes("w-full")
        self.labels.props(f"autogrow data-testid={prefix}-labels")
        self.labels.bind_visibility_from(self.kind, "value", backward=lambda v: v == "label")
        schema = template.json_schema if template else None
        self.schema = ui.textarea(
            t("questions.tpl.schema"), value=json.dumps(schema, indent=2) if schema else ""
        ).classes("w-full font-mono")
        self.schema.props(f"autogrow data-testid={prefix}-schema")
        self.schema.bind_visibility_from(self.kind, "value", backward=lambda v: v == "json")

    def values(self) -> dict[str, Any]:
        kind = str(self.kind.value)
        labels = [line.strip() for line in (self.labels.value or "").splitlines() if line.strip()]
        schema: Any = None
        if kind == "json":
            try:
                schema = json.loads(self.schema.value or "")
            except ValueError as exc:
                raise InputError(t("questions.tpl.bad_json", error=exc)) from None
            if not isinstance(schema, dict):
                schema = {}  # the service says what a schema must be
        return {
            "question": self.question.value or "",
            "answer_type": kind,
            "labels": labels if kind == "label" else [],
            "json_schema": schema,
        }


class TemplatesSection:
    def __init__(self, ctx: UiContext, project: ProjectView, launcher: JobLauncher) -> None:
        self.ctx = ctx
        self.project = project
        self.launcher = launcher
        self.listing: ui.column | None = None

    def build(self) -> None:
        ui.label(t("questions.tpl.help")).classes("text-sm text-gray-600")
        with ui.card().classes("w-full"):
            fields = TemplateFields(None, "tpl-form")

            async def add() -> None:
                added = templates.add_template(self.ctx.core, self.project.id, **fields.values())
                notify_ok(t("questions.tpl.added", id=added.id))
                fields.question.set_value("")
                fields.labels.set_value("")
                fields.schema.set_value("")
                await self.reload()

            with ui.row():
                ui.button(t("questions.tpl.add"), icon="add", on_click=guarded(add)).props(
                    "data-testid=tpl-add"
                )
                ui.button(
                    t("questions.tpl.apply"),
                    icon="auto_awesome",
                    on_click=guarded(
                        lambda: self.launcher.start_after_estimate(
                            "templates.apply",
                            t("estimate.title.templates"),
                            t("estimate.templates.all"),
                        )
                    ),
                ).props("data-testid=tpl-apply")
        self.listing = ui.column().classes("w-full gap-2").props("data-testid=tpl-list")
        self.show(templates.list_templates(self.ctx.core, self.project.id))

    async def reload(self) -> None:
        self.show(await off_loop(templates.list_templates, self.ctx.core, self.project.id))

    def show(self, rows: list[TemplateView]) -> None:
        if self.listing is None:
            return
        self.listing.clear()
        with self.listing:
            if not rows:
                ui.label(t("questions.tpl.none")).props("data-testid=tpl-none")
            for row in rows:
                self._card(row)

    def _card(self, row: TemplateView) -> None:
        with ui.card().classes("w-full py-2 gap-1").props(f"data-testid=tpl-{row.id}"):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.label(row.question).classes("break-words grow font-medium").props(
                    f"data-testid=tpl-question-{row.id}"
                )
                ui.button(
                    t("questions.tpl.apply_one"),
                    on_click=guarded(
                        lambda: self.launcher.start_after_estimate(
                            "templates.apply",
                            t("estimate.title.templates"),
                            t("estimate.templates.one", question=row.question),
                            template_ids=[row.id],
                        )
                    ),
                ).props(f"flat dense data-testid=tpl-apply-{row.id}")
                ui.button(icon="edit", on_click=lambda: self._edit(row)).props(
                    f"flat dense round data-testid=tpl-edit-{row.id}"
                ).tooltip(t("questions.tpl.edit"))
                ui.button(icon="delete", on_click=guarded(lambda: self._delete(row))).props(
                    f"flat dense round data-testid=tpl-delete-{row.id}"
                ).tooltip(t("questions.tpl.delete"))
            kind = t(f"questions.tpl.type.{row.answer_type}")
            if row.answer_type == "label":
                kind += ": " + " · ".join(row.labels)
            ui.label(kind).classes("text-sm text-gray-600 break-words").props(
                f"data-testid=tpl-type-{row.id}"
            )
            if row.json_schema is not None:
                text_block(json.dumps(row.json_schema, indent=2), f"tpl-schema-{row.id}")

    def _edit(self, row: TemplateView) -> None:
        box, body = dialog("tpl-dialog")
        with body:
            ui.label(t("questions.tpl.edit_title", id=row.id)).classes("text-lg")
            fields = TemplateFields(row, "tpl-edit")

            async def save() -> None:
                templates.edit_template(self.ctx.core, self.project.id, row.id, **fields.values())
                box.close()
                notify_ok(t("common.saved"))
                await self.reload()

            with ui.row():
                ui.button(t("common.save"), on_click=guarded(save)).props(
                    "data-testid=tpl-edit-save"
                )
                ui.button(t("common.cancel"), on_click=box.close).props("flat")
        box.open()

    async def _delete(self, row: TemplateView) -> None:
        if await confirm(t("questions.tpl.confirm_delete", question=row.question)):
            templates.delete_template(self.ctx.core, self.project.id, row.id)
            notify_ok(t("questions.tpl.deleted"))
            await self.reload()

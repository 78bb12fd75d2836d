"""The projects screen (`/`): every project with its counts; create and delete."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import events, ui

from easy_dataset.server.ui.context import UiContext, context_of
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, header
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services import models, projects

COLUMNS = (
    "name",
    "description",
    "files",
    "chunks",
    "questions",
    "qa_pairs",
    "calls",
    "tokens",
    "created",
)
WRAP = {
    "name": "white-space: normal; overflow-wrap: anywhere; min-width: 8rem",
    "description": "white-space: normal; overflow-wrap: anywhere; min-width: 12rem",
    "tokens": "white-space: normal",
    "created": "white-space: nowrap",  # a date broken over two lines reads badly
}
# Projects are few; more than this on one page would need paging here.
MAX_LISTED = 1000


class ProjectsScreen:
    def __init__(self, ctx: UiContext) -> None:
        self.ctx = ctx
        self.table: ui.table | None = None

    def rows(self) -> list[dict[str, Any]]:
        _total, summaries = projects.project_summaries(self.ctx.core, limit=MAX_LISTED)
        rows = []
        for view in summaries:
            rows.append(
                {
                    "id": view.id,
                    "name": view.name,
                    "description": view.description,
                    "files": view.file_count,
                    "chunks": view.chunk_count,
                    "questions": view.question_count,
                    "qa_pairs": view.qa_count,
                    "calls": view.model_calls,
                    "tokens": f"{view.prompt_tokens:,} + {view.completion_tokens:,}",
                    "created": when(view.created_at),
                    "href": project_path(view.id, "files"),
                }
            )
        return rows

    def build(self) -> None:
        ui.label(t("projects.title")).classes("text-2xl")
        self._create_form()
        # Long names and descriptions wrap: the table fits the page, no sideways scrolling.
        columns = [
            {
                "name": key,
                "label": t(f"projects.col.{key}"),
                "field": key,
                "align": "left",
                "style": WRAP.get(key, ""),
                "headerStyle": "white-space: normal",
            }
            for key in COLUMNS
        ]
        columns.append({"name": "actions", "label": "", "field": "id"})
        self.table = ui.table(columns=columns, rows=self.rows(), row_key="id").classes("w-full")
        self.table.props("flat bordered data-testid=projects-table")
        # Fixed templates; row values are interpolated with {{ }}, which Vue escapes.
        self.table.add_slot(
            "body-cell-name",
            '<q-td :props="props"><a :href="props.row.href" class="text-primary">'
            "{{ props.row.name }}</a></q-td>",
        )
        self.table.add_slot(
            "body-cell-actions",
            '<q-td :props="props"><q-btn flat dense color="negative" icon="delete" '
            ":data-testid=\"'delete-project-' + props.row.id\" "
            "@click=\"$parent.$emit('delete', props.row)\" /></q-td>",
        )
        self.table.on("delete", guarded(self._delete))

    def refresh(self) -> None:
        if self.table is not None:
            self.table.rows = self.rows()
            self.table.update()

    def _create_form(self) -> None:
        sources = {0: t("projects.copy_none")} | {
            view.id: view.name for view in projects.list_projects(self.ctx.core)
        }
        with ui.card().classes("w-full"), ui.row().classes("w-full items-end gap-4"):
            name = ui.input(t("projects.name")).props("data-testid=project-name")
            description = ui.input(t("projects.description")).classes("grow")
            description.props("data-testid=project-description")
            copy_from = ui.select(sources, value=0, label=t("projects.copy_models"))
            copy_from.classes("min-w-[12rem]").props("data-testid=project-copy-from")

            async def create() -> None:
                view = projects.create_project(
                    self.ctx.core, name.value or "", description=description.value or ""
                )
                if copy_from.value:
                    copied = models.copy_model_configs(self.ctx.core, copy_from.value, view.id)
                    notify_ok(t("projects.copied", count=len(copied)))
                notify_ok(t("projects.created", name=view.name))
                ui.navigate.to(project_path(view.id, "files"))

            ui.button(t("projects.create"), on_click=guarded(create)).props(
                "data-testid=project-create"
            )

    async def _delete(self, event: events.GenericEventArguments) -> None:
        row = event.args
        if await confirm(t("projects.confirm_delete", name=row["name"])):
            await off_loop(projects.delete_project, self.ctx.core, int(row["id"]))
            notify_ok(t("projects.deleted", name=row["name"]))
            self.refresh()


def register() -> None:
    @ui.page("/")
    def projects_page(request: Request) -> None:
        ctx = context_of(request)
        header(ctx, request, None, "projects")
        with content():
            ProjectsScreen(ctx).build()

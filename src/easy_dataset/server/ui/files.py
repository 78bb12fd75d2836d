"""The files screen (`/projects/{id}/files`): upload many documents at once, with a status
per file, and the project's files with size, type and chunk count; delete with confirmation.

Uploads are written to a private temporary folder under a cleaned name and handed to
`services.files.add_files`, which stores them under generated names in the project folder;
the browser's file name is only ever a label. The size limit is enforced by the uploader,
by `limits.UploadLimitMiddleware` and again here.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from fastapi import Request
from nicegui import events, ui

from easy_dataset.ingest import SUPPORTED_EXTENSIONS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, human_size, notify_ok, off_loop, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services import files
from easy_dataset.services.views import AddOutcome, ProjectView

MAX_NAME = 200


def safe_upload_name(name: str) -> str:
    """The last part of a client's file name, without control characters or leading dots."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not base:
        return "upload"
    if len(base) > MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        base = stem[: MAX_NAME - len(suffix) - 1] + dot + suffix if dot else base[:MAX_NAME]
    return base


class FilesScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.status: ui.table | None = None
        self.table: ui.table | None = None

    def build(self) -> None:
        limit = self.ctx.core.settings.max_file_bytes
        ui.label(t("files.title")).classes("text-2xl")
        with ui.card().classes("w-full"):
            ui.label(t("files.upload_help", limit=human_size(limit))).classes("text-sm")
            upload = ui.upload(
                multiple=True,
                auto_upload=True,
                max_file_size=limit,
                label=t("files.upload"),
                on_upload=guarded(self._uploaded),
                on_rejected=lambda: ui.notify(t("files.rejected", limit=human_size(limit))),
            ).classes("w-full")
            upload.props["accept"] = ",".join(sorted(SUPPORTED_EXTENSIONS))
            upload.props("data-testid=files-upload")
            status_columns = [
                {"name": key, "label": t(f"files.status_col.{key}"), "field": key, "align": "left"}
                for key in ("name", "status", "detail")
            ]
            self.status = ui.table(columns=status_columns, rows=[], row_key="n")
            self.status.classes("w-full").props("flat dense data-testid=upload-status")
            self.status.set_visibility(False)
        self._file_table()

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": view.id,
                "name": view.name,
                "format": view.format,
                "size": human_size(view.size_bytes),
                "pages": view.page_count or "",
                "chunks": view.chunk_count,
                "added": when(view.created_at),
                "href": project_path(self.project.id, "chunks") + f"?file={view.id}",
            }
            for view in files.list_files(self.ctx.core, self.project.id)
        ]

    def _file_table(self) -> None:
        columns = [
            {"name": key, "label": t(f"files.col.{key}"), "field": key, "align": "left"}
            for key in ("name", "format", "size", "pages", "chunks", "added")
        ]
        with ui.row().classes("w-full items-center"):
            ui.label(t("files.list")).classes("text-xl")
            ui.space()
            ui.button(t("files.delete_selected"), on_click=guarded(self._delete)).props(
                "flat color=negative data-testid=files-delete"
            )
        self.table = ui.table(
            columns=columns, rows=self.rows(), row_key="id", selection="multiple"
        ).classes("w-full")
        self.table.props("flat bordered data-testid=files-table")
        self.table.add_slot(
            "body-cell-name",
            '<q-td :props="props"><a :href="props.row.href" class="text-primary">'
            "{{ props.row.name }}</a></q-td>",
        )

    def refresh(self) -> None:
        if self.table is not None:
            self.table.rows = self.rows()
            self.table.selected = []
            self.table.update()

    def _report(self, name: str, outcome: AddOutcome) -> None:
        if outcome.status == "added" and outcome.file is not None:
            detail = t("files.added_detail", chunks=outcome.file.chunk_count)
        elif outcome.status == "duplicate":
            detail = t("files.duplicate_detail", id=outcome.duplicate_of or "?")
        else:
            detail = outcome.error or ""
        self._status_row(name, t(f"files.status.{outcome.status}"), detail)

    def _status_row(self, name: str, status: str, detail: str) -> None:
        if self.status is not None:
            row = {"n": len(self.status.rows), "name": name, "status": status, "detail": detail}
            self.status.add_row(row)
            self.status.set_visibility(True)

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        name = safe_upload_name(event.file.name)
        limit = self.ctx.core.settings.max_file_bytes
        if event.file.size() > limit:
            message = t("files.too_large", limit=human_size(limit))
            self._status_row(name, t("files.status.failed"), message)
            return
        with tempfile.TemporaryDirectory(prefix="easy-dataset-upload-") as folder:
            path = Path(folder) / name
            await event.file.save(path)
            outcomes = await off_loop(files.add_files, self.ctx.core, self.project.id, [path])
        for outcome in outcomes:
            self._report(name, outcome)
        self.refresh()

    async def _delete(self) -> None:
        chosen = self.table.selected if self.table is not None else []
        if not chosen:
            ui.notify(t("files.select_first"))
            return
        names = ", ".join(str(row["name"]) for row in chosen)
        if await confirm(t("files.confirm_delete", count=len(chosen), names=names)):
            ids = [int(row["id"]) for row in chosen]
            await off_loop(files.remove_files, self.ctx.core, self.project.id, ids)
            notify_ok(t("files.deleted", count=len(ids)))
            self.refresh()


def register() -> None:
    @ui.page("/projects/{project_id}/files")
    def files_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "files")
        if opened is None:
            return
        with content():
            FilesScreen(*opened).build()

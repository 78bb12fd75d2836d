"""The files screen (`/projects/{id}/files`): upload many documents at once, with a status
per file, and the project's files with size, type and chunk count; delete with confirmation.

Uploads are written to a private temporary folder under a cleaned name and handed to
`services.files.add_files`, which stores them under generated names in the project folder;
the browser's file name is only ever a label. The size limit is enforced by the uploader,
by `limits.UploadLimitMiddleware` and again here.

Reading a file can take a while (a long PDF: many seconds), so every received file is listed
at once in the upload table as "processing…" with a spinner and the time spent so far, and
that row becomes "added" (or "duplicate", or "error" with the reason) when it is done; the
file table is then refreshed. The uploads of the last minutes live in a process-wide
`Uploads` list per project, so a reloaded page or a second tab shows them too and refreshes
its file table when one finishes.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fastapi import Request
from nicegui import events, ui

from easy_dataset.errors import EasyDatasetError
from easy_dataset.ingest import SUPPORTED_EXTENSIONS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, human_size, notify_ok, off_loop, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services import files
from easy_dataset.services.views import AddOutcome, ProjectView

MAX_NAME = 200
# Finished uploads stay listed this long (seconds) for pages opened later.
KEEP_FINISHED = 600.0


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


@dataclass
class Upload:
    """One received file: "processing" until `status` is added, duplicate or failed."""

    key: int
    name: str
    started: float
    status: str = "processing"
    detail: str = ""
    finished: float | None = None


class Uploads:
    """The uploads of each project, shared by every page of this process."""

    _next: ClassVar[Iterator[int]] = itertools.count(1)
    _by_project: ClassVar[dict[tuple[str, int], list[Upload]]] = {}

    @classmethod
    def of(cls, ctx: UiContext, project_id: int) -> list[Upload]:
        now = time.monotonic()
        key = (str(ctx.core.settings.home), project_id)
        kept = [
            upload
            for upload in cls._by_project.get(key, [])
            if upload.finished is None or now - upload.finished < KEEP_FINISHED
        ]
        cls._by_project[key] = kept
        return kept

    @classmethod
    def start(cls, ctx: UiContext, project_id: int, name: str) -> Upload:
        upload = Upload(key=next(cls._next), name=name, started=time.monotonic())
        cls.of(ctx, project_id).append(upload)
        return upload

    @staticmethod
    def finish(upload: Upload, status: str, detail: str) -> None:
        upload.status, upload.detail, upload.finished = status, detail, time.monotonic()


class FilesScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.status: ui.table | None = None
        self.table: ui.table | None = None
        self.busy: set[int] = set()  # uploads shown as processing on this page

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
            self.status.add_slot(
                "body-cell-status",
                '<q-td :props="props" :data-testid="\'upload-state-\' + props.row.state">'
                '<span class="inline-flex items-center gap-2">'
                '<q-spinner v-if="props.row.state === \'processing\'" size="1.2em" '
                'color="primary" data-testid="upload-spinner"/>'
                "<span>{{ props.row.status }}</span></span></q-td>",
            )
            self.status.set_visibility(False)
        self._file_table()
        self.show_uploads()
        ui.timer(1.0, self.show_uploads)

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
        self.table.props(f'no-data-label="{t("files.none")}"')
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

    def show_uploads(self) -> None:
        """The upload table from the shared list; the file table again when one finished."""
        uploads = Uploads.of(self.ctx, self.project.id)
        now = time.monotonic()
        busy = {upload.key for upload in uploads if upload.finished is None}
        if self.busy - busy:
            self.refresh()
        self.busy = busy
        if self.status is None:
            return
        rows = [
            {
                "n": upload.key,
                "name": upload.name,
                "state": upload.status,
                "status": t(f"files.status.{upload.status}"),
                "detail": upload.detail
                if upload.finished is not None
                else t("files.processing_detail", seconds=int(now - upload.started)),
            }
            for upload in uploads
        ]
        if rows == self.status.rows:
            return  # nothing changed: send nothing to the browser
        self.status.rows = rows
        self.status.set_visibility(bool(uploads))
        self.status.update()

    def _outcome(self, outcome: AddOutcome) -> tuple[str, str]:
        if outcome.status == "added" and outcome.file is not None:
            return "added", t("files.added_detail", chunks=outcome.file.chunk_count)
        if outcome.status == "duplicate":
            return "duplicate", t("files.duplicate_detail", id=outcome.duplicate_of or "?")
        return "failed", outcome.error or ""

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        name = safe_upload_name(event.file.name)
        upload = Uploads.start(self.ctx, self.project.id, name)
        self.show_uploads()
        limit = self.ctx.core.settings.max_file_bytes
        status, detail = "failed", t("files.processing_stopped")
        try:
            if event.file.size() > limit:
                status, detail = "failed", t("files.too_large", limit=human_size(limit))
                return
            with tempfile.TemporaryDirectory(prefix="easy-dataset-upload-") as folder:
                path = Path(folder) / name
                await event.file.save(path)
                outcomes = await off_loop(files.add_files, self.ctx.core, self.project.id, [path])
            if outcomes:
                status, detail = self._outcome(outcomes[0])
        except EasyDatasetError as exc:
            status, detail = "failed", str(exc)
        finally:
            Uploads.finish(upload, status, detail)
            self.show_uploads()

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

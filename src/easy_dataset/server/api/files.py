"""A project's documents: upload (multipart), list, show with their Markdown, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from easy_dataset.errors import InputError
from easy_dataset.server.api.common import IdPath, Limit, Offset, Page, ProjectRef
from easy_dataset.server.api.uploads import UploadReceiver
from easy_dataset.server.deps import Core
from easy_dataset.services import files, projects
from easy_dataset.services.views import AddOutcome, FileView

router = APIRouter(prefix="/projects/{project}/files", tags=["files"])

UPLOAD_FOLDER = "uploads"  # under the data home: received files wait there to be ingested
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "password": {"type": "string", "description": "For encrypted PDFs."},
                        "split": {
                            "type": "boolean",
                            "default": True,
                            "description": "Split into chunks now (default) or later.",
                        },
                    },
                }
            }
        },
    }
}


class UploadResult(BaseModel):
    """What happened to each uploaded file, in the order they were sent."""

    items: list[AddOutcome]
    added: int
    duplicates: int
    failed: int


class FileDetail(FileView):
    markdown: str | None = None


def _flag(fields: dict[str, str], name: str, default: bool) -> bool:
    value = fields.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise InputError(f"form field {name!r} must be true or false, not {value!r}")


@router.post("", openapi_extra=_UPLOAD_BODY)
async def upload_files(project: ProjectRef, request: Request, core: Core) -> UploadResult:
    """Add documents: each is ingested, deduplicated and split, or reported failed."""
    # An unknown project is refused before the body is read.
    await run_in_threadpool(projects.get_project, core, project)
    receiver = UploadReceiver(
        core.settings.home / UPLOAD_FOLDER,
        core.settings.max_file_bytes,
        ("password", "split"),
        max_total_bytes=core.settings.max_upload_bytes,
    )
    form = await receiver.receive(request)
    try:
        outcomes = await run_in_threadpool(
            files.add_uploaded,
            core,
            project,
            [(received.path, received.name) for received in form.files],
            password=form.fields.get("password") or None,
            split=_flag(form.fields, "split", True),
        )
    finally:
        receiver.discard()
    return UploadResult(
        items=outcomes,
        added=sum(outcome.status == "added" for outcome in outcomes),
        duplicates=sum(outcome.status == "duplicate" for outcome in outcomes),
        failed=sum(outcome.status == "failed" for outcome in outcomes),
    )


@router.get("")
def list_files(
    project: ProjectRef, core: Core, limit: Limit = 50, offset: Offset = 0
) -> Page[FileView]:
    total, items = files.files_page(core, project, limit=limit, offset=offset)
    return Page[FileView](items=items, total=total)


@router.get("/{file_id}")
def show_file(
    project: ProjectRef,
    file_id: IdPath,
    core: Core,
    markdown: Annotated[bool, Query(description="Include the converted Markdown.")] = False,
) -> FileDetail:
    view = files.get_file(core, project, file_id)
    text = files.file_markdown(core, project, file_id) if markdown else None
    return FileDetail(**view.model_dump(), markdown=text)


@router.delete("/{file_id}")
def delete_file(project: ProjectRef, file_id: IdPath, core: Core) -> FileView:
    """Remove a file, its chunks and its stored copies."""
    return files.remove_files(core, project, [file_id])[0]

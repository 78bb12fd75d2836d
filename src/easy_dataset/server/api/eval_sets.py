"""Evaluation sets: list, create, rename, delete; their items (paged, filtered, edited,
confirmed); holding out QA pairs; importing a benchmark file; downloading a set."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.kinds import EvalKind, EvalOrigin
from easy_dataset.server.api.common import IdField, IdPath, Limit, Offset, Page, ProjectRef
from easy_dataset.server.api.files import UPLOAD_FOLDER
from easy_dataset.server.api.uploads import UploadReceiver
from easy_dataset.server.deps import Core
from easy_dataset.services import App, projects
from easy_dataset.services.evaluation import held_out, items, sets, transfer
from easy_dataset.services.evaluation.views import EvalItemView, EvalSetView

router = APIRouter(prefix="/projects/{project}/eval-sets", tags=["evaluation sets"])

SetRef = Annotated[str, Path(min_length=1, max_length=200, description="Set name or id.")]
Text = Annotated[str, Field(max_length=20_000)]
Options = Annotated[list[Annotated[str, Field(max_length=2_000)]], Field(max_length=10)]
Tags = Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=20)]
ItemIds = Annotated[list[IdField], Field(min_length=1, max_length=10_000)]
_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv", "lm-eval": "application/zip"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SetBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""


class SetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    description: Annotated[str | None, Field(max_length=2000)] = None


class ItemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EvalKind
    question: Text
    answer: Text
    options: Options = []
    tag_path: Tags = []
    note: Annotated[str, Field(max_length=5000)] = ""


class ItemPatch(BaseModel):
    """The fields to change; the item is checked whole after the change."""

    model_config = ConfigDict(extra="forbid")

    kind: EvalKind | None = None
    question: Text | None = None
    answer: Text | None = None
    options: Options | None = None
    tag_path: Tags | None = None
    note: Annotated[str | None, Field(max_length=5000)] = None
    confirmed: bool | None = None


class ItemIdsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: ItemIds
    confirmed: bool = True


class HoldOutBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    by_tag: bool = True


class Deleted(BaseModel):
    deleted: int


@router.get("")
def list_sets(project: ProjectRef, core: Core) -> list[EvalSetView]:
    return sets.list_sets(core, project)


@router.post("", status_code=201)
def create_set(project: ProjectRef, body: SetBody, core: Core) -> EvalSetView:
    return sets.create_set(core, project, body.name, body.description)


@router.get("/{eval_set}")
def get_set(project: ProjectRef, eval_set: SetRef, core: Core) -> EvalSetView:
    return sets.get_set(core, project, eval_set)


@router.patch("/{eval_set}")
def update_set(project: ProjectRef, eval_set: SetRef, body: SetPatch, core: Core) -> EvalSetView:
    return sets.update_set(core, project, eval_set, name=body.name, description=body.description)


@router.delete("/{eval_set}")
def delete_set(project: ProjectRef, eval_set: SetRef, core: Core) -> EvalSetView:
    return sets.delete_set(core, project, eval_set)


@router.get("/{eval_set}/items")
def list_items(
    project: ProjectRef,
    eval_set: SetRef,
    core: Core,
    kind: Annotated[EvalKind | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    confirmed: Annotated[bool | None, Query()] = None,
    origin: Annotated[EvalOrigin | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EvalItemView]:
    found, total = items.list_items(
        core, project, eval_set, kind=kind, tag=tag, confirmed=confirmed, origin=origin,
        limit=limit, offset=offset,
    )  # fmt: skip
    return Page[EvalItemView](items=found, total=total)


@router.post("/{eval_set}/items", status_code=201)
def add_item(project: ProjectRef, eval_set: SetRef, body: ItemBody, core: Core) -> EvalItemView:
    return items.add_item(core, project, eval_set, **body.model_dump())


@router.get("/{eval_set}/items/{item_id}")
def get_item(project: ProjectRef, eval_set: SetRef, item_id: IdPath, core: Core) -> EvalItemView:
    return _in_set(core, project, eval_set, items.get_item(core, project, item_id))


@router.patch("/{eval_set}/items/{item_id}")
def edit_item(
    project: ProjectRef, eval_set: SetRef, item_id: IdPath, body: ItemPatch, core: Core
) -> EvalItemView:
    _in_set(core, project, eval_set, items.get_item(core, project, item_id))
    return items.edit_item(core, project, item_id, **body.model_dump(exclude_unset=True))


@router.delete("/{eval_set}/items/{item_id}")
def delete_item(project: ProjectRef, eval_set: SetRef, item_id: IdPath, core: Core) -> Deleted:
    _in_set(core, project, eval_set, items.get_item(core, project, item_id))
    return Deleted(deleted=items.delete_items(core, project, [item_id]))


@router.post("/{eval_set}/confirm")
def confirm_items(
    project: ProjectRef, eval_set: SetRef, body: ItemIdsBody, core: Core
) -> list[EvalItemView]:
    """Confirm (or with `confirmed: false` un-confirm) items; all ids must exist."""
    sets.get_set(core, project, eval_set)
    return items.confirm_items(core, project, body.ids, confirmed=body.confirmed)


@router.post("/{eval_set}/hold-out")
def hold_out(
    project: ProjectRef, eval_set: SetRef, body: HoldOutBody, core: Core
) -> held_out.HoldOutReport:
    """Move a seeded share of the QA pairs into the set (made when missing)."""
    return held_out.hold_out(core, project, eval_set, body.fraction, body.seed, by_tag=body.by_tag)


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "string",
                            "format": "binary",
                            "description": "One .jsonl or .csv file in MMLU-style columns.",
                        }
                    },
                }
            }
        },
    }
}


@router.post("/{eval_set}/import", status_code=201, openapi_extra=_UPLOAD_BODY)
async def import_file(
    project: ProjectRef,
    eval_set: SetRef,
    request: Request,
    core: Core,
    skip_bad: Annotated[bool, Query(description="Store the good lines, list the bad.")] = False,
) -> transfer.ImportReport:
    """Import one benchmark file (multipart field `files`) into the set (made when missing):
    all lines or none, unless `skip_bad`."""
    await run_in_threadpool(projects.get_project, core, project)
    limit = min(core.settings.max_file_bytes, transfer.MAX_IMPORT_BYTES)
    receiver = UploadReceiver(
        core.settings.home / UPLOAD_FOLDER,
        limit,
        (),
        max_total_bytes=core.settings.max_upload_bytes,
    )
    form = await receiver.receive(request)
    try:
        if len(form.files) != 1:
            raise InputError(f"send one file in the field 'files', not {len(form.files)}")
        received = form.files[0]
        data = await run_in_threadpool(received.path.read_bytes)
        return await run_in_threadpool(
            _import, core, project, eval_set, received.name, data, skip_bad
        )
    finally:
        receiver.discard()


def _import(
    core: App, project: str, eval_set: str, name: str, data: bytes, skip_bad: bool
) -> transfer.ImportReport:
    return transfer.import_items(core, project, eval_set, name, data, skip_bad=skip_bad)


@router.get(
    "/{eval_set}/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media in _MEDIA.values()}}},
)
def export_set(
    project: ProjectRef,
    eval_set: SetRef,
    core: Core,
    format: Annotated[str, Query(pattern="^(jsonl|csv|lm-eval)$")] = "jsonl",
    confirmed_only: Annotated[bool, Query()] = False,
) -> Response:
    """The set as a download: JSON Lines, CSV, or an lm-evaluation-harness task (a zip)."""
    name, data = transfer.export_bytes(
        core, project, eval_set, format, confirmed_only=confirmed_only
    )
    plain = _UNSAFE.sub("_", name).strip("._") or "eval-set"
    return Response(
        data,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{plain}"'},
    )


def _in_set(core: App, project: str, eval_set: str, item: EvalItemView) -> EvalItemView:
    """The item, or 404 when it is not in the set named in the path."""
    if sets.get_set(core, project, eval_set).id != item.set_id:
        raise NotFoundError(
            f"no evaluation item {item.id} in set {eval_set!r}", subject="eval_item"
        )
    return item

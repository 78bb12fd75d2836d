"""A project's chunks: list and search, show, edit, merge, split, delete, re-split files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.server.api.common import MAX_ID, IdField, IdPath, Limit, Offset, Page, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import chunks
from easy_dataset.services.chunks import MAX_CHUNK_EDIT
from easy_dataset.services.views import ChunkView, SplitOutcome
from easy_dataset.types import ChunkSettings

router = APIRouter(prefix="/projects/{project}/chunks", tags=["chunks"])

MAX_BATCH = 10_000


class ChunkEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=MAX_CHUNK_EDIT)


class ChunkIds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[IdField] = Field(min_length=1, max_length=MAX_BATCH)


class SplitAt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset: int = Field(ge=0, le=MAX_ID, description="Character offset in the chunk's text.")


class Resplit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_ids: list[IdField] | None = Field(
        default=None, max_length=MAX_BATCH, description="Only these files (default: all)."
    )
    settings: ChunkSettings | None = Field(
        default=None, description="New chunk settings, stored as the project's from now on."
    )
    replace: bool = Field(
        default=False, description="Discard existing chunks and split again (else kept)."
    )


class Deleted(BaseModel):
    deleted: int


@router.get("")
def list_chunks(
    project: ProjectRef,
    core: Core,
    file_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this file's.")] = None,
    search: Annotated[
        str | None, Query(max_length=1000, description="Only chunks containing this text.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChunkView]:
    """Chunks in document order, filtered by file and by literal text (case-insensitive)."""
    total, items = chunks.list_chunks(
        core, project, file_id=file_id, search=search, limit=limit, offset=offset
    )
    return Page[ChunkView](items=items, total=total)


@router.post("/resplit")
def resplit_files(project: ProjectRef, body: Resplit, core: Core) -> list[SplitOutcome]:
    """Split the project's files (or those named) again, e.g. with another strategy."""
    return chunks.split_files(
        core, project, file_ids=body.file_ids, settings=body.settings, replace=body.replace
    )


@router.post("/merge")
def merge_chunks(project: ProjectRef, body: ChunkIds, core: Core) -> ChunkView:
    """Merge adjacent chunks of one file into the first."""
    return chunks.merge_chunks(core, body.ids, project_ref=project)


@router.post("/delete")
def delete_chunks(project: ProjectRef, body: ChunkIds, core: Core) -> Deleted:
    """Delete the chunks named; if any is unknown, none is deleted."""
    return Deleted(deleted=chunks.delete_chunks(core, body.ids, project_ref=project))


@router.get("/{chunk_id}")
def show_chunk(project: ProjectRef, chunk_id: IdPath, core: Core) -> ChunkView:
    return chunks.get_chunk(core, chunk_id, project_ref=project)


@router.patch("/{chunk_id}")
def edit_chunk(project: ProjectRef, chunk_id: IdPath, body: ChunkEdit, core: Core) -> ChunkView:
    """Replace a chunk's text."""
    return chunks.edit_chunk(core, chunk_id, body.content, project_ref=project)


@router.post("/{chunk_id}/split")
def split_chunk(
    project: ProjectRef, chunk_id: IdPath, body: SplitAt, core: Core
) -> list[ChunkView]:
    """Cut a chunk in two at a character offset; answers both halves."""
    return list(chunks.split_chunk_at(core, chunk_id, body.offset, project_ref=project))


@router.delete("/{chunk_id}")
def delete_chunk(project: ProjectRef, chunk_id: IdPath, core: Core) -> Deleted:
    return Deleted(deleted=chunks.delete_chunks(core, [chunk_id], project_ref=project))

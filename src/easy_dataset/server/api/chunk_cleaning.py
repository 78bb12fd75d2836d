"""Chunk cleaning under review: the proposals `chunks.clean` made (start it at
`POST /stages/chunks.clean`), each with its diff; accept or reject one or many; undo an
accepted cleaning by restoring the chunk's original text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from easy_dataset.server.api.common import IdField, IdPath, Limit, Offset, Page, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import chunk_cleaning
from easy_dataset.services.chunk_cleaning import (
    CleaningOutcome,
    Decision,
    ProposalDetail,
    ProposalView,
    Status,
)
from easy_dataset.services.chunks import MAX_CHUNK_EDIT
from easy_dataset.services.views import ChunkView

router = APIRouter(prefix="/projects/{project}", tags=["chunks"])

MAX_BATCH = 10_000


class Choice(BaseModel):
    """The chunks whose proposals to decide: `ids`, or `all` for every one waiting."""

    model_config = ConfigDict(extra="forbid")

    ids: list[IdField] | None = Field(default=None, min_length=1, max_length=MAX_BATCH)
    all: bool = Field(default=False, description="Every proposal waiting (stale ones skipped).")

    @model_validator(mode="after")
    def _one(self) -> Choice:
        if (self.ids is None) == (not self.all):
            raise ValueError("give either ids or all: true")
        return self


class ProposalEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_CHUNK_EDIT)


class OneDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CHUNK_EDIT,
        description="The text to accept instead of the proposed one (a person's edit).",
    )


@router.get("/cleaning")
def list_proposals(
    project: ProjectRef,
    core: Core,
    status: Annotated[
        Status | Literal["all"], Query(description="Only proposals of this status, or all.")
    ] = "pending",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ProposalView]:
    """Proposed cleanings in document order, each with how much it removes."""
    total, items = chunk_cleaning.list_proposals(
        core, project, status=None if status == "all" else status, limit=limit, offset=offset
    )
    return Page[ProposalView](items=items, total=total)


@router.post("/cleaning/accept")
def accept_many(project: ProjectRef, body: Choice, core: Core) -> CleaningOutcome:
    """Give the chunks their proposed text; a stale proposal named is refused (409) and
    nothing changes; with `all`, stale ones are skipped and listed."""
    return _decide(core, project, "accepted", body)


@router.post("/cleaning/reject")
def reject_many(project: ProjectRef, body: Choice, core: Core) -> CleaningOutcome:
    """Drop the proposals; the chunks keep their text."""
    return _decide(core, project, "rejected", body)


def _decide(core: Core, project: str, decision: Decision, body: Choice) -> CleaningOutcome:
    return chunk_cleaning.decide(core, project, decision, None if body.all else body.ids)


@router.get("/cleaning/{chunk_id}")
def show_proposal(project: ProjectRef, chunk_id: IdPath, core: Core) -> ProposalDetail:
    """The chunk's pending proposal (else its latest decided one) with both texts and the
    diff: unified, and as kept / removed / added pieces."""
    return chunk_cleaning.get_proposal(core, project, chunk_id)


@router.patch("/cleaning/{chunk_id}")
def edit_proposal(
    project: ProjectRef, chunk_id: IdPath, body: ProposalEdit, core: Core
) -> ProposalDetail:
    """Change the text a pending proposal would give its chunk."""
    return chunk_cleaning.edit_proposal(core, project, chunk_id, body.text)


@router.post("/cleaning/{chunk_id}/accept")
def accept_one(
    project: ProjectRef, chunk_id: IdPath, core: Core, body: OneDecision | None = None
) -> CleaningOutcome:
    """Give the chunk its proposed text (or `text`, a person's edit of it)."""
    texts = {chunk_id: body.text} if body is not None and body.text is not None else None
    return chunk_cleaning.decide(core, project, "accepted", [chunk_id], texts=texts)


@router.post("/cleaning/{chunk_id}/reject")
def reject_one(project: ProjectRef, chunk_id: IdPath, core: Core) -> CleaningOutcome:
    return chunk_cleaning.decide(core, project, "rejected", [chunk_id])


@router.post("/chunks/{chunk_id}/restore")
def restore_chunk(
    project: ProjectRef,
    chunk_id: IdPath,
    core: Core,
    force: Annotated[
        bool, Query(description="Even if the chunk was edited after the cleaning.")
    ] = False,
) -> ChunkView:
    """Put back the text the chunk had before its last accepted cleaning."""
    return chunk_cleaning.restore(core, project, chunk_id, force=force)

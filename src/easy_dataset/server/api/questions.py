"""Questions: list with filters, add, edit, delete; answering them is the answers stage."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from easy_dataset.server.api.common import (
    After,
    CursorPage,
    IdField,
    IdPath,
    Limit,
    Offset,
    ProjectRef,
    WithTotal,
)
from easy_dataset.server.deps import Core
from easy_dataset.services import generation
from easy_dataset.services.generation import QuestionView

router = APIRouter(prefix="/projects/{project}/questions", tags=["questions"])

MAX_QUESTION = 4000


class QuestionFilters(BaseModel):
    file_id: IdField | None = None
    chunk_id: IdField | None = None
    tag_id: IdField | None = None
    origin: (
        Literal["generated", "template", "manual", "distilled", "cross_chunk", "unanswerable"]
        | None
    ) = None
    answered: bool | None = None
    search: str | None = Field(default=None, max_length=500)


class NewQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_QUESTION)
    chunk_id: IdField | None = Field(default=None, description="The chunk to answer it from.")
    tag_id: IdField | None = None
    persona_id: IdField | None = None


class QuestionChange(BaseModel):
    """New wording (its QA pairs follow) and/or a tag (null: untag)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, max_length=MAX_QUESTION)
    tag_id: IdField | None = None

    @model_validator(mode="after")
    def _something(self) -> QuestionChange:
        if not self.model_fields_set & {"text", "tag_id"}:
            raise ValueError("give a new text and/or a tag_id (null: untag)")
        return self


class Deletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[IdField] = Field(min_length=1, max_length=10_000)


@router.get("")
def list_questions(
    project: ProjectRef,
    core: Core,
    filters: Annotated[QuestionFilters, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
    with_total: WithTotal = True,
) -> CursorPage[QuestionView]:
    """Questions in id order, filtered; page with `after` or `offset`."""
    given = filters.model_dump(exclude_none=True)
    items = generation.list_questions(
        core, project, limit=limit, offset=offset, after=after, **given
    )
    return CursorPage[QuestionView](
        items=items,
        total=generation.count_questions(core, project, **given) if with_total else None,
        next_after=items[-1].id if len(items) == limit else None,
    )


@router.post("", status_code=201)
def add_question(project: ProjectRef, body: NewQuestion, core: Core) -> QuestionView:
    return generation.add_question(
        core,
        project,
        body.text,
        chunk_id=body.chunk_id,
        tag_id=body.tag_id,
        ga_pair_id=body.persona_id,
    )


@router.patch("/{question_id}")
def edit_question(
    project: ProjectRef, question_id: IdPath, body: QuestionChange, core: Core
) -> QuestionView:
    untag = "tag_id" in body.model_fields_set and body.tag_id is None
    return generation.edit_question(
        core, project, question_id, text=body.text, tag_id=body.tag_id, clear_tag=untag
    )


@router.post("/delete")
def delete_questions(project: ProjectRef, body: Deletion, core: Core) -> dict[str, int]:
    """Delete questions, all or none; their QA pairs stay."""
    return {"deleted": generation.delete_questions(core, project, body.ids)}

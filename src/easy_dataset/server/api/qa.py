"""QA pairs: the review list with filters, detail with its chunk, and every review action."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

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
from easy_dataset.services.generation import QADetail, QAView

router = APIRouter(prefix="/projects/{project}/qa", tags=["qa pairs"])

MAX_TEXT = 100_000
Score = Annotated[float, Field(ge=0, le=5)]


class QAQuery(BaseModel):
    confirmed: bool | None = None
    min_score: Score | None = None
    max_score: Score | None = None
    scored: bool | None = None
    tag: str | None = Field(default=None, max_length=200)
    has_cot: bool | None = None
    kind: Literal["qa", "dialogue"] | None = Field(
        default=None, description="Only QA pairs (qa) or only dialogues (dialogue)."
    )
    unanswerable: bool | None = Field(
        default=None,
        description="Only samples answering unanswerable questions (true), or none of them.",
    )
    file_id: IdField | None = None
    chunk_id: IdField | None = None
    search: str | None = Field(default=None, max_length=500)
    newest_first: bool = False
    # Quality checks: the judge's 0–5 score; flagged by any of these checks (repeated), or
    # by none of these; in (or out of) the review sample.
    min_judge: Score | None = None
    max_judge: Score | None = None
    flagged: list[str] = Field(default=[], max_length=20, description="Repeated: a check.")
    not_flagged: list[str] = Field(default=[], max_length=20, description="Repeated: a check.")
    sampled: bool | None = None


class QAEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(default=None, max_length=MAX_TEXT)
    answer: str | None = Field(default=None, max_length=MAX_TEXT)
    cot: str | None = Field(default=None, max_length=MAX_TEXT)
    confirmed: bool | None = Field(
        default=None,
        description="Confirm (true) or un-confirm (false) in the same transaction as the edit.",
    )


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[IdField] = Field(min_length=1, max_length=10_000)
    confirmed: bool = True


class Rating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Score | None = Field(description="0 to 5; null clears it.")


class Tagging(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[str] = Field(max_length=100)
    mode: Literal["add", "remove", "set"] = "add"


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=10_000)


class Revision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advice: str = Field(min_length=1, max_length=4000)
    model: str | None = None


class Neighbours(BaseModel):
    """The ids before and after a pair in the same filtered list (for previous/next)."""

    previous: int | None
    next: int | None


@router.get("")
def list_qa(
    project: ProjectRef,
    core: Core,
    query: Annotated[QAQuery, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
    with_total: WithTotal = True,
) -> CursorPage[QAView]:
    """QA pairs in id order (or newest first), filtered; page with `after` or `offset`."""
    filters = query.model_dump(exclude_none=True, exclude={"newest_first"})
    items = generation.list_qa(
        core,
        project,
        limit=limit,
        offset=offset,
        after=after,
        newest_first=query.newest_first,
        **filters,
    )
    return CursorPage[QAView](
        items=items,
        total=generation.count_qa(core, project, **filters) if with_total else None,
        next_after=items[-1].id if len(items) == limit else None,
    )


@router.get("/count")
def count_qa(project: ProjectRef, core: Core, query: Annotated[QAQuery, Query()]) -> dict[str, int]:
    """How many QA pairs match the filters."""
    filters = query.model_dump(exclude_none=True, exclude={"newest_first"})
    return {"count": generation.count_qa(core, project, **filters)}


@router.get("/{qa_id}")
def show_qa(project: ProjectRef, qa_id: IdPath, core: Core) -> QADetail:
    """A QA pair with the chunk it was answered from."""
    return generation.get_qa(core, project, qa_id)


@router.get("/{qa_id}/neighbours")
def neighbours(
    project: ProjectRef, qa_id: IdPath, core: Core, query: Annotated[QAQuery, Query()]
) -> Neighbours:
    filters = query.model_dump(exclude_none=True, exclude={"newest_first"})
    before, after = generation.qa_neighbours(core, project, qa_id, **filters)
    if query.newest_first:
        before, after = after, before
    return Neighbours(previous=before, next=after)


@router.patch("/{qa_id}")
def edit_qa(project: ProjectRef, qa_id: IdPath, body: QAEdit, core: Core) -> QAView:
    """Edit the question, answer or reasoning and, with `confirmed`, confirm the pair in the
    same transaction (edit and confirm at once: nothing edited is left unsaved). A new
    question is also the text of the pair's question in the questions list."""
    return generation.edit_qa(
        core,
        project,
        qa_id,
        question=body.question,
        answer=body.answer,
        cot=body.cot,
        confirmed=body.confirmed,
    )


@router.post("/confirm")
def confirm_qa(project: ProjectRef, body: Confirmation, core: Core) -> list[QAView]:
    """Confirm (or un-confirm) QA pairs, all or none. It changes nothing else: to save an
    edit and confirm together, send both to `PATCH /qa/{qa_id}` (`confirmed: true`)."""
    return generation.confirm_qa(core, project, body.ids, body.confirmed)


@router.put("/{qa_id}/score")
def rate_qa(project: ProjectRef, qa_id: IdPath, body: Rating, core: Core) -> QAView:
    return generation.rate_qa(core, project, qa_id, body.score)


@router.post("/{qa_id}/tags")
def tag_qa(project: ProjectRef, qa_id: IdPath, body: Tagging, core: Core) -> QAView:
    return generation.tag_qa(core, project, qa_id, body.tags, mode=body.mode)


@router.put("/{qa_id}/note")
def note_qa(project: ProjectRef, qa_id: IdPath, body: Note, core: Core) -> QAView:
    return generation.note_qa(core, project, qa_id, body.note)


@router.post("/{qa_id}/revise")
async def revise_qa(project: ProjectRef, qa_id: IdPath, body: Revision, core: Core) -> QAView:
    """The model rewrites the answer following the advice (one call; the old answer is kept
    in the pair's provenance)."""
    return await run_in_threadpool(
        generation.revise_qa, core, project, qa_id, body.advice, model=body.model
    )

"""Dialogue samples' turns: edit one message, delete the last turns, regenerate from a turn.

Each answers the dialogue as `GET /qa/{qa_id}` shows it, turns included. A QA pair (kind
"qa") is refused with 422 (`subject` not_dialogue), as is an index or turn out of range."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from easy_dataset.generate.dialogue_schema import MAX_TURNS
from easy_dataset.server.api.common import IdPath, ProjectRef
from easy_dataset.server.api.qa import MAX_TEXT
from easy_dataset.server.deps import Core
from easy_dataset.services import generation
from easy_dataset.services.generation import QADetail

router = APIRouter(prefix="/projects/{project}/qa/{qa_id}/turns", tags=["qa pairs"])

# A dialogue has at most a system message and MAX_TURNS user/assistant pairs.
MessageIndex = Annotated[int, Path(ge=0, le=2 * MAX_TURNS)]


class TurnEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    reasoning: str | None = Field(
        default=None, max_length=MAX_TEXT, description="The assistant's only; '' removes it."
    )


class Truncation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=1, le=MAX_TURNS, description="Turns to delete from the end.")


class Regeneration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_turn: int = Field(ge=0, lt=MAX_TURNS, description="The first turn (0-based) rewritten.")
    turns: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TURNS,
        description="How many turns the dialogue has afterwards (default: as many as now).",
    )
    model: str | None = Field(default=None, description="A model configuration's name.")


@router.patch("/{index}")
def edit_turn(
    project: ProjectRef, qa_id: IdPath, index: MessageIndex, body: TurnEdit, core: Core
) -> QADetail:
    """Replace message `index`'s content and/or reasoning (0-based; a system message is 0).
    The sample's question and answer follow its first question and last reply."""
    return generation.edit_turn(
        core, project, qa_id, index, content=body.content, reasoning=body.reasoning
    )


@router.post("/truncate")
def truncate(project: ProjectRef, qa_id: IdPath, body: Truncation, core: Core) -> QADetail:
    """Delete the last `count` turns (user message and reply); at least one turn stays."""
    return generation.delete_last_turns(core, project, qa_id, body.count)


@router.post("/regenerate")
async def regenerate(
    project: ProjectRef, qa_id: IdPath, body: Regeneration, core: Core
) -> QADetail:
    """The model writes the dialogue again from `from_turn` on (one call), from its chunk,
    roles and scenario; the turns replaced are kept in its provenance."""
    return await run_in_threadpool(
        generation.regenerate_from,
        core,
        project,
        qa_id,
        body.from_turn,
        model=body.model,
        turns=body.turns,
    )

"""The blind arena: the next battle to vote on, votes, the battles and the results. Making
battles is the arena.run stage (POST /api/projects/{project}/stages/arena.run).

Battles are blind (answers as "A" and "B" in the order drawn, no model names) everywhere
but in the results and in the battle list with `reveal=true`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from easy_dataset.server.api.common import MAX_ID, IdPath, Limit, Offset, Page, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.evaluation import arena
from easy_dataset.services.evaluation.arena import (
    ArenaProgress,
    ArenaResults,
    BlindBattle,
    Choice,
    RevealedBattle,
)

router = APIRouter(prefix="/projects/{project}/arena", tags=["arena"])


class NextBattle(BaseModel):
    """The next battle without a vote (null: none left) and how many are voted."""

    battle: BlindBattle | None
    progress: ArenaProgress


class VoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Choice


@router.get("/next")
def next_battle(
    project: ProjectRef,
    core: Core,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Look after this battle id first.")
    ] = 0,
) -> NextBattle:
    return NextBattle(
        battle=arena.next_battle(core, project, after=after),
        progress=arena.progress(core, project),
    )


@router.get("/battles")
def list_battles(
    project: ProjectRef,
    core: Core,
    voted: Annotated[bool | None, Query(description="Only voted (or unvoted) battles.")] = None,
    reveal: Annotated[
        bool, Query(description="Name the models and give votes in their terms.")
    ] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BlindBattle] | Page[RevealedBattle]:
    if reveal:
        total, named = arena.revealed_battles(
            core, project, voted=voted, limit=limit, offset=offset
        )
        return Page[RevealedBattle](items=named, total=total)
    total, blind = arena.list_battles(core, project, voted=voted, limit=limit, offset=offset)
    return Page[BlindBattle](items=blind, total=total)


@router.get("/battles/{battle_id}")
def get_battle(project: ProjectRef, battle_id: IdPath, core: Core) -> BlindBattle:
    return arena.get_battle(core, project, battle_id)


@router.put("/battles/{battle_id}/vote")
def vote(project: ProjectRef, battle_id: IdPath, body: VoteBody, core: Core) -> BlindBattle:
    """Vote on the order shown: A, B, tie or both_bad (replaces an earlier vote)."""
    return arena.vote(core, project, battle_id, body.choice)


@router.delete("/battles/{battle_id}/vote")
def clear_vote(project: ProjectRef, battle_id: IdPath, core: Core) -> BlindBattle:
    return arena.clear_vote(core, project, battle_id)


@router.get("/results")
def results(project: ProjectRef, core: Core) -> ArenaResults:
    """Win rates per pair and per model with 95 % Wilson intervals, and the Bradley–Terry
    ranking with Elo-style scores; the models are named here."""
    return arena.results(core, project)

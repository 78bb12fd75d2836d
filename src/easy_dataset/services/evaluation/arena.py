"""The blind arena: battles shown without model names, votes, and the results.

A reviewer sees a battle's two answers as "A" and "B" in the order drawn when it was made
(`swapped`: model B's answer is shown as "A") and votes on that order: "A", "B", "tie" or
"both_bad". The vote is stored in terms of `model_a` / `model_b`, so the order shown never
reaches the statistics. The blind views carry no model names, no job and no `swapped`
flag; names appear only in the results and in the battle list when asked to reveal them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.arena_stats import (
    DEFAULT_PRIOR,
    ModelStats,
    Outcome,
    PairStats,
    Vote,
    arena_stats,
)
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.base import utcnow
from easy_dataset.store.evaluation import ArenaBattle

Choice = Literal["A", "B", "tie", "both_bad"]
CHOICES: tuple[Choice, ...] = ("A", "B", "tie", "both_bad")
# What a reviewer may type for each choice (the CLI's keys among them).
_SPELLINGS: dict[str, Choice] = {
    "a": "A",
    "b": "B",
    "tie": "tie",
    "t": "tie",
    "both_bad": "both_bad",
    "both-bad": "both_bad",
    "bad": "both_bad",
    "x": "both_bad",
}
MAX_PAGE = 1000


class BlindBattle(BaseModel):
    """A battle as the reviewer sees it: no model names, answers in the order shown, the
    vote (if any) in that order too."""

    id: int
    prompt: str
    system: str
    answer_a: str
    answer_b: str
    vote: Choice | None
    voted_at: datetime | None


class ArenaProgress(BaseModel):
    battles: int
    voted: int

    @property
    def left(self) -> int:
        return self.battles - self.voted


class RevealedBattle(BaseModel):
    """A battle with its models named and the vote in their terms (after voting)."""

    id: int
    prompt: str
    system: str
    model_a: str
    model_b: str
    answer_a: str
    answer_b: str
    vote: Outcome | None
    voted_at: datetime | None
    job_id: int | None
    created_at: datetime


class PairResult(BaseModel):
    model_a: str
    model_b: str
    battles: int
    wins_a: int
    wins_b: int
    ties: int
    both_bad: int
    win_rate_a: float
    low: float
    high: float


class ModelResult(BaseModel):
    model: str
    battles: int
    wins: int
    losses: int
    ties: int
    both_bad: int
    win_rate: float
    low: float
    high: float


class RankResult(BaseModel):
    rank: int
    model: str
    strength: float
    elo: float
    component: int


class ArenaResults(BaseModel):
    """The voted battles' statistics (see evaluate/arena_stats for how they count)."""

    battles: int
    voted: int
    prior: float
    pairs: list[PairResult]
    models: list[ModelResult]
    ranking: list[RankResult]


def parse_choice(text: str) -> Choice:
    """A vote as typed ("A", "b", "tie", "t", "both_bad", "x"...), or InputError."""
    found = _SPELLINGS.get(text.strip().lower())
    if found is None:
        raise InputError(f"a vote is one of A, B, tie or both_bad (not {text!r})")
    return found


def stored_vote(choice: Choice, swapped: bool) -> Outcome:
    """The vote on the order shown, in terms of model_a / model_b."""
    if choice == "A":
        return "b" if swapped else "a"
    if choice == "B":
        return "a" if swapped else "b"
    return choice


def shown_vote(vote: str | None, swapped: bool) -> Choice | None:
    """A stored vote in the order the battle is shown."""
    if vote is None:
        return None
    if vote in ("a", "b"):
        first = "b" if swapped else "a"
        return "A" if vote == first else "B"
    return "tie" if vote == "tie" else "both_bad"


def _blind(row: ArenaBattle) -> BlindBattle:
    first, second = (row.answer_b, row.answer_a) if row.swapped else (row.answer_a, row.answer_b)
    return BlindBattle(
        id=row.id,
        prompt=row.prompt,
        system=row.system,
        answer_a=first,
        answer_b=second,
        vote=shown_vote(row.vote, row.swapped),
        voted_at=row.voted_at,
    )


def _battle(session: Session, project_id: int, battle_id: int) -> ArenaBattle:
    row = session.get(ArenaBattle, battle_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no arena battle {battle_id} in this project", subject="battle")
    return row


def progress(app: App, project_ref: str | int) -> ArenaProgress:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        battles, voted = session.execute(
            select(func.count(ArenaBattle.id), func.count(ArenaBattle.vote)).where(
                ArenaBattle.project_id == project.id
            )
        ).one()
        return ArenaProgress(battles=battles, voted=voted)


def next_battle(app: App, project_ref: str | int, *, after: int = 0) -> BlindBattle | None:
    """The first battle without a vote (after battle id `after`, wrapping round), blind."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        waiting = select(ArenaBattle).where(
            ArenaBattle.project_id == project.id, ArenaBattle.vote.is_(None)
        )
        row = (
            session.scalars(
                waiting.where(ArenaBattle.id > after).order_by(ArenaBattle.id).limit(1)
            ).first()
            or session.scalars(waiting.order_by(ArenaBattle.id).limit(1)).first()
        )
        return None if row is None else _blind(row)


def get_battle(app: App, project_ref: str | int, battle_id: int) -> BlindBattle:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return _blind(_battle(session, project.id, battle_id))


def vote(app: App, project_ref: str | int, battle_id: int, choice: str) -> BlindBattle:
    """Vote on a battle in the order shown (a new vote replaces the old one)."""
    chosen = parse_choice(choice)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _battle(session, project.id, battle_id)
        row.vote = stored_vote(chosen, row.swapped)
        row.voted_at = utcnow()
        session.flush()
        return _blind(row)


def clear_vote(app: App, project_ref: str | int, battle_id: int) -> BlindBattle:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _battle(session, project.id, battle_id)
        row.vote = None
        row.voted_at = None
        session.flush()
        return _blind(row)


def list_battles(
    app: App,
    project_ref: str | int,
    *,
    voted: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[BlindBattle]]:
    """(how many match, one page of them), blind, in the order they were made."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = _listed(project.id, voted, limit, offset)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(ArenaBattle.id).limit(limit).offset(offset))
        return total or 0, [_blind(row) for row in rows]


def revealed_battles(
    app: App,
    project_ref: str | int,
    *,
    voted: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[RevealedBattle]]:
    """Like `list_battles` with the models named and votes in their terms."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = _listed(project.id, voted, limit, offset)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(ArenaBattle.id).limit(limit).offset(offset))
        views = [RevealedBattle.model_validate(row, from_attributes=True) for row in rows]
        return total or 0, views


def _listed(project_id: int, voted: bool | None, limit: int, offset: int) -> Select[ArenaBattle]:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"a page holds 1 to {MAX_PAGE} battles from offset 0 up")
    query = select(ArenaBattle).where(ArenaBattle.project_id == project_id)
    if voted is not None:
        query = query.where(ArenaBattle.vote.is_not(None) if voted else ArenaBattle.vote.is_(None))
    return query


def results(app: App, project_ref: str | int, *, prior: float = DEFAULT_PRIOR) -> ArenaResults:
    """Win rates per pair and per model with 95 % intervals, and the ranking."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(ArenaBattle.model_a, ArenaBattle.model_b, ArenaBattle.vote).where(
                ArenaBattle.project_id == project.id
            )
        ).all()
    votes = [Vote(a, b, cast(Outcome, vote)) for a, b, vote in rows if vote is not None]
    stats = arena_stats(votes, prior)
    return ArenaResults(
        battles=len(rows),
        voted=len(votes),
        prior=prior,
        pairs=[_pair(row) for row in stats.pairs],
        models=[_model(row) for row in stats.models],
        ranking=[RankResult.model_validate(row, from_attributes=True) for row in stats.ranking],
    )


def _pair(row: PairStats) -> PairResult:
    return PairResult(
        model_a=row.model_a,
        model_b=row.model_b,
        battles=row.battles,
        wins_a=row.wins_a,
        wins_b=row.wins_b,
        ties=row.ties,
        both_bad=row.both_bad,
        win_rate_a=row.win_rate_a,
        low=row.interval_a.low,
        high=row.interval_a.high,
    )


def _model(row: ModelStats) -> ModelResult:
    return ModelResult(
        model=row.model,
        battles=row.battles,
        wins=row.wins,
        losses=row.losses,
        ties=row.ties,
        both_bad=row.both_bad,
        win_rate=row.win_rate,
        low=row.interval.low,
        high=row.interval.high,
    )

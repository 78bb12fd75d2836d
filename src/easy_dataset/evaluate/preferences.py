"""Preference pairs (prompt, chosen, rejected) for DPO, derived from what people and the
judge already said about answers: arena votes, judge-scored drafts, and reviewer edits.

Nothing here is stored: the pairs are derived from plain records each time, so a changed
vote or edit changes them at once. A pair whose two answers read the same is never made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

PreferenceSource = Literal["arena", "judge", "edit"]
PREFERENCE_SOURCES: tuple[PreferenceSource, ...] = get_args(PreferenceSource)

# A judge pair needs its best draft to beat its worst by this much on the judge's 0–5
# scale: one point is one anchor of the rubric, a difference the judge means; half-point
# differences come from the weighting of criteria and are mostly noise.
DEFAULT_MARGIN = 1.0
REVIEWER = "reviewer"  # who wrote the chosen answer of an edit pair


@dataclass(frozen=True)
class PreferencePair:
    """One pair and where it came from.

    `chosen_by` / `rejected_by` say who wrote each answer (a model's name, "reviewer", or
    the refine round "draft N"); `margin` is the judge's score difference (judge pairs
    only); `confirmed` says a person stands behind the pair (an arena vote, or a confirmed
    sample)."""

    source: PreferenceSource
    prompt: str
    chosen: str
    rejected: str
    system: str = ""
    chosen_by: str = ""
    rejected_by: str = ""
    margin: float | None = None
    confirmed: bool = False
    qa_id: int | None = None
    battle_id: int | None = None
    item_id: int | None = None
    question_id: int | None = None
    chunk_id: int | None = None


@dataclass(frozen=True)
class Battle:
    """An arena battle as the pairs need it; vote a | b | tie | both_bad | None."""

    id: int
    prompt: str
    system: str
    model_a: str
    model_b: str
    answer_a: str
    answer_b: str
    vote: str | None
    item_id: int | None = None
    question_id: int | None = None
    chunk_id: int | None = None


@dataclass(frozen=True)
class ScoredDraft:
    """One judged draft of an answer (`label` names it, like "draft 0")."""

    label: str
    answer: str
    score: float


@dataclass(frozen=True)
class DraftedSample:
    """A sample whose answer was drafted several times, each draft judged."""

    qa_id: int
    prompt: str
    drafts: Sequence[ScoredDraft]
    confirmed: bool = False
    question_id: int | None = None
    chunk_id: int | None = None


@dataclass(frozen=True)
class EditedSample:
    """A sample a reviewer edited: the model's answer before the first edit, and now."""

    qa_id: int
    prompt: str
    model_answer: str
    answer: str
    model: str = ""
    confirmed: bool = False
    question_id: int | None = None
    chunk_id: int | None = None


def _differ(first: str, second: str) -> bool:
    return " ".join(first.split()) != " ".join(second.split())


def arena_pairs(battles: Iterable[Battle]) -> Iterator[PreferencePair]:
    """Vote a: model A's answer chosen; vote b: model B's; a tie or both bad says nothing
    about which is better, and makes no pair."""
    for battle in battles:
        if battle.vote not in ("a", "b"):
            continue
        first, second = (
            ((battle.answer_a, battle.model_a), (battle.answer_b, battle.model_b))
            if battle.vote == "a"
            else ((battle.answer_b, battle.model_b), (battle.answer_a, battle.model_a))
        )
        if not first[0].strip() or not second[0].strip() or not _differ(first[0], second[0]):
            continue
        yield PreferencePair(
            source="arena",
            prompt=battle.prompt,
            chosen=first[0],
            rejected=second[0],
            system=battle.system,
            chosen_by=first[1],
            rejected_by=second[1],
            confirmed=True,
            battle_id=battle.id,
            item_id=battle.item_id,
            question_id=battle.question_id,
            chunk_id=battle.chunk_id,
        )


def judge_pairs(
    samples: Iterable[DraftedSample], *, margin: float = DEFAULT_MARGIN
) -> Iterator[PreferencePair]:
    """The best-scored draft chosen, the worst rejected, when the best beats the worst by
    at least `margin` (and by something: equal scores never make a pair). Among equal
    scores the earlier draft is taken."""
    for sample in samples:
        drafts = [draft for draft in sample.drafts if draft.answer.strip()]
        if len(drafts) < 2:
            continue
        best = max(drafts, key=lambda draft: draft.score)  # max/min keep the first of ties
        worst = min(drafts, key=lambda draft: draft.score)
        gap = best.score - worst.score
        if gap <= 0 or gap < margin or not _differ(best.answer, worst.answer):
            continue
        yield PreferencePair(
            source="judge",
            prompt=sample.prompt,
            chosen=best.answer,
            rejected=worst.answer,
            chosen_by=best.label,
            rejected_by=worst.label,
            margin=round(gap, 4),
            confirmed=sample.confirmed,
            qa_id=sample.qa_id,
            question_id=sample.question_id,
            chunk_id=sample.chunk_id,
        )


def edit_pairs(samples: Iterable[EditedSample]) -> Iterator[PreferencePair]:
    """The reviewer's answer chosen over the model's; an edit undone makes no pair."""
    for sample in samples:
        if not sample.model_answer.strip() or not _differ(sample.answer, sample.model_answer):
            continue
        yield PreferencePair(
            source="edit",
            prompt=sample.prompt,
            chosen=sample.answer,
            rejected=sample.model_answer,
            chosen_by=REVIEWER,
            rejected_by=sample.model,
            confirmed=sample.confirmed,
            qa_id=sample.qa_id,
            question_id=sample.question_id,
            chunk_id=sample.chunk_id,
        )


def keep_pair(
    pair: PreferencePair,
    *,
    sources: Sequence[PreferenceSource] = PREFERENCE_SOURCES,
    confirmed_only: bool = False,
) -> bool:
    """Whether the filters keep `pair` (the margin is applied as judge pairs are made)."""
    return pair.source in sources and (pair.confirmed or not confirmed_only)

"""Holding out a share of the project's own QA pairs as an evaluation set.

A held-out pair is copied into the set as an `open` item (origin held_out, `qa_id` naming
the pair, the answer as reference) and is then left out of every training export (see
`services/export.py`); deleting the item releases it. The share is drawn with a seed, so
the same call on the same pairs holds out the same ones, and by tag (the question's domain
tag path, untagged pairs forming their own group) so that each topic keeps its share.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from easy_dataset.errors import InputError
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.items import held_out_ids
from easy_dataset.services.evaluation.sets import ensure_set, view_of
from easy_dataset.services.evaluation.views import EvalSetView
from easy_dataset.services.generation.distill_scope import path_of, tag_rows
from easy_dataset.services.projects import find_project
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.evaluation import EvalItem

UNTAGGED = ""


class HoldOutReport(BaseModel):
    """What a hold-out did: pairs moved into the set, and those it passed over."""

    set: EvalSetView
    held_out: int
    candidates: int  # QA pairs that could be held out (not held out already, with text)
    already_held: int
    dialogues_skipped: int
    empty_skipped: int
    by_tag: dict[str, int]  # pairs held out per tag path (" > " joined; "" untagged)


def _draw(groups: dict[str, list[int]], fraction: float, seed: int) -> dict[str, list[int]]:
    """A seeded share of each group: round(fraction * size), at least one where the
    fraction is not zero and the group has a pair."""
    rng = random.Random(seed)
    drawn: dict[str, list[int]] = {}
    for name in sorted(groups):
        members = sorted(groups[name])
        count = min(len(members), max(1, round(fraction * len(members))))
        drawn[name] = sorted(rng.sample(members, count))
    return drawn


def hold_out(
    app: App,
    project_ref: str | int,
    set_name: str,
    fraction: float,
    seed: int = 0,
    *,
    by_tag: bool = True,
) -> HoldOutReport:
    """Move a seeded share of the project's QA pairs (kind qa) into `set_name` (made when
    missing). Dialogues are skipped and counted; pairs held out already stay where they are."""
    if not 0 < fraction <= 1:
        raise InputError(f"the share to hold out is above 0 and at most 1, not {fraction}")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        eval_set = ensure_set(session, project.id, set_name)
        held = held_out_ids(session, project.id)
        dialogues = session.scalar(
            select(func.count()).where(QAPair.project_id == project.id, QAPair.kind == "dialogue")
        )
        rows = session.execute(
            select(QAPair.id, QAPair.question, QAPair.answer, QAPair.chunk_id, Question.tag_id)
            .outerjoin(Question, Question.id == QAPair.question_id)
            .where(QAPair.project_id == project.id, QAPair.kind == "qa")
            .order_by(QAPair.id)
        ).all()
        tags = tag_rows(session, project.id)
        pairs: dict[int, tuple[str, str, int | None, list[str]]] = {}
        groups: dict[str, list[int]] = defaultdict(list)
        empty = 0
        for qa_id, question, answer, chunk_id, tag_id in rows:
            if qa_id in held:
                continue
            if not question.strip() or not answer.strip():
                empty += 1
                continue
            path = path_of(tags, tag_id) if tag_id in tags else []
            pairs[qa_id] = (question.strip(), answer.strip(), chunk_id, path)
            groups[" > ".join(path) if by_tag else UNTAGGED].append(qa_id)
        drawn = (
            _draw(groups, fraction, seed)
            if by_tag
            else _draw(
                {UNTAGGED: [i for members in groups.values() for i in members]}, fraction, seed
            )
        )
        when = utcnow().isoformat()
        settings: dict[str, Any] = {"fraction": fraction, "seed": seed, "by_tag": by_tag}
        counts: dict[str, int] = defaultdict(int)
        for qa_id in sorted(i for ids in drawn.values() for i in ids):
            question, answer, chunk_id, path = pairs[qa_id]
            counts[" > ".join(path)] += 1
            session.add(
                EvalItem(
                    project_id=project.id,
                    set_id=eval_set.id,
                    kind="open",
                    question=question,
                    options=[],
                    answer=answer,
                    chunk_id=chunk_id,
                    qa_id=qa_id,
                    tag_path=path,
                    origin="held_out",
                    provenance={"qa_id": qa_id, "held_out_at": when, **settings},
                )
            )
        session.flush()
        return HoldOutReport(
            set=view_of(session, eval_set),
            held_out=sum(counts.values()),
            candidates=len(pairs),
            already_held=len(held),
            dialogues_skipped=dialogues or 0,
            empty_skipped=empty,
            by_tag=dict(sorted(counts.items())),
        )

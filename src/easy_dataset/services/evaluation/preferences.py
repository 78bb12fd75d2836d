"""Preference pairs of a project, derived on demand from its arena votes, its judged
drafts and its reviewers' edits, and written as TRL or LLaMA-Factory training files.

Where each source lives:
- arena: `ArenaBattle` rows voted a or b; the chunk is the evaluation item's or the
  question's.
- judge: the drafts `answers.refine` keeps in a sample's provenance (`drafts`, each with
  the judge's 0–5 score). Consistency voting keeps only the answer it chose (its `votes`
  result holds the agreement, not the other answers), so it gives no pairs.
- edit: QA pairs whose provenance keeps `model_answer`, the model's answer before the
  first reviewer edit (`edit_qa`). Dialogues are left out: a turn edit keeps no copy of
  the model's turn.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.evaluate.preferences import (
    DEFAULT_MARGIN,
    PREFERENCE_SOURCES,
    Battle,
    DraftedSample,
    EditedSample,
    PreferencePair,
    PreferenceSource,
    ScoredDraft,
    arena_pairs,
    edit_pairs,
    judge_pairs,
    keep_pair,
)
from easy_dataset.export.preferences import (
    LLAMAFACTORY_FORMATS,
    PreferenceFormat,
    needs_system_column,
    preference_dataset_info,
    write_preferences,
)
from easy_dataset.services.app import App
from easy_dataset.services.export import (
    DATASET_INFO,
    merged_dataset_info,
    replace_atomically,
    write_dataset_info,
)
from easy_dataset.services.generation.review import MODEL_ANSWER
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from easy_dataset.store.evaluation import ArenaBattle, EvalItem

MAX_JUDGE_SCORE = 5.0
REFINE_RESULT = "refine"  # the quality result every refined sample has


class PreferenceFilters(BaseModel):
    """Which pairs to derive: from which sources, the judge pairs' least score difference
    (0–5), and only pairs a person stands behind (arena votes, confirmed samples)."""

    sources: list[PreferenceSource] = Field(default_factory=lambda: list(PREFERENCE_SOURCES))
    min_margin: float = Field(default=DEFAULT_MARGIN, ge=0, le=MAX_JUDGE_SCORE)
    confirmed_only: bool = False


class PreferenceExport(BaseModel):
    """What an export wrote: the pairs, the file, and LLaMA-Factory's registry if any."""

    count: int
    by_source: dict[str, int]
    format: str
    path: str
    dataset_info_path: str | None = None


def _battles(session: Session, project_id: int) -> Iterator[Battle]:
    query = (
        select(ArenaBattle, EvalItem.chunk_id, Question.chunk_id)
        .outerjoin(EvalItem, EvalItem.id == ArenaBattle.item_id)
        .outerjoin(Question, Question.id == ArenaBattle.question_id)
        .where(ArenaBattle.project_id == project_id, ArenaBattle.vote.in_(("a", "b")))
        .order_by(ArenaBattle.id)
    )
    for battle, item_chunk, question_chunk in session.execute(query):
        yield Battle(
            id=battle.id,
            prompt=battle.prompt,
            system=battle.system,
            model_a=battle.model_a,
            model_b=battle.model_b,
            answer_a=battle.answer_a,
            answer_b=battle.answer_b,
            vote=battle.vote,
            item_id=battle.item_id,
            question_id=battle.question_id,
            chunk_id=item_chunk if item_chunk is not None else question_chunk,
        )


def _drafts(provenance: dict[str, Any]) -> list[ScoredDraft]:
    drafts = provenance.get("drafts")
    kept: list[ScoredDraft] = []
    for draft in drafts if isinstance(drafts, list) else []:
        if not isinstance(draft, dict):
            continue
        score, answer = draft.get("score"), draft.get("answer")
        if (
            isinstance(score, int | float)
            and not isinstance(score, bool)
            and isinstance(answer, str)
        ):
            kept.append(ScoredDraft(f"draft {draft.get('round', len(kept))}", answer, float(score)))
    return kept


def _drafted(session: Session, project_id: int) -> Iterator[DraftedSample]:
    refined = select(QualityResult.qa_id).where(
        QualityResult.project_id == project_id, QualityResult.kind == REFINE_RESULT
    )
    query = (
        select(QAPair)
        .where(QAPair.project_id == project_id, QAPair.kind == "qa", QAPair.id.in_(refined))
        .order_by(QAPair.id)
    )
    for row in session.scalars(query):
        yield DraftedSample(
            qa_id=row.id,
            prompt=row.question,
            drafts=_drafts(row.provenance or {}),
            confirmed=row.confirmed,
            question_id=row.question_id,
            chunk_id=row.chunk_id,
        )


def _edited(session: Session, project_id: int) -> Iterator[EditedSample]:
    query = (
        select(QAPair)
        .where(
            QAPair.project_id == project_id,
            QAPair.kind == "qa",
            QAPair.provenance[MODEL_ANSWER].as_string().is_not(None),
        )
        .order_by(QAPair.id)
    )
    for row in session.scalars(query):
        model_answer = (row.provenance or {}).get(MODEL_ANSWER)
        if not isinstance(model_answer, str):
            continue
        yield EditedSample(
            qa_id=row.id,
            prompt=row.question,
            model_answer=model_answer,
            answer=row.answer,
            model=row.model,
            confirmed=row.confirmed,
            question_id=row.question_id,
            chunk_id=row.chunk_id,
        )


def preference_pairs(
    app: App, project_ref: str | int, filters: PreferenceFilters | None = None
) -> list[PreferencePair]:
    """The project's preference pairs, arena first, then judge, then edit, each in id order."""
    wanted = filters or PreferenceFilters()
    pairs: list[PreferencePair] = []
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        if "arena" in wanted.sources:
            pairs += arena_pairs(_battles(session, project_id))
        if "judge" in wanted.sources:
            pairs += judge_pairs(_drafted(session, project_id), margin=wanted.min_margin)
        if "edit" in wanted.sources:
            pairs += edit_pairs(_edited(session, project_id))
    return [
        pair
        for pair in pairs
        if keep_pair(pair, sources=wanted.sources, confirmed_only=wanted.confirmed_only)
    ]


def count_by_source(pairs: list[PreferencePair]) -> dict[str, int]:
    """How many pairs each source gave, every source named."""
    counts: dict[str, int] = dict.fromkeys(PREFERENCE_SOURCES, 0)
    for pair in pairs:
        counts[pair.source] += 1
    return counts


class PreferenceList(BaseModel):
    """One page of the pairs, with how many there are from each source."""

    total: int
    by_source: dict[str, int]
    pairs: list[PreferencePair]


def list_preferences(
    app: App,
    project_ref: str | int,
    filters: PreferenceFilters | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> PreferenceList:
    """The pairs from `offset` on (at most `limit`), and the counts of all of them."""
    pairs = preference_pairs(app, project_ref, filters)
    return PreferenceList(
        total=len(pairs), by_source=count_by_source(pairs), pairs=pairs[offset : offset + limit]
    )


def preferences_text(
    app: App,
    project_ref: str | int,
    format: PreferenceFormat,
    filters: PreferenceFilters | None = None,
    *,
    system: str | None = None,
) -> tuple[str, int]:
    """The pairs as one JSON Lines text (for a download), and how many it holds."""
    pairs = preference_pairs(app, project_ref, filters)
    out = io.StringIO()
    write_preferences(pairs, format, out, system=system)
    return out.getvalue(), len(pairs)


def export_preferences(
    app: App,
    project_ref: str | int,
    out_dir: str | Path,
    format: PreferenceFormat = "trl",
    filters: PreferenceFilters | None = None,
    *,
    system: str | None = None,
    dataset_name: str = "preferences",
    overwrite: bool = False,
) -> PreferenceExport:
    """Write `<dataset_name>.jsonl` into `out_dir`; the LLaMA-Factory formats also write or
    update `dataset_info.json` there with the dataset's ranking entry."""
    if not dataset_name.strip() or Path(dataset_name).name != dataset_name:
        raise InputError(f"a dataset name is a plain file stem, not {dataset_name!r}")
    folder = Path(out_dir).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; give a folder to export to")
    path = folder / f"{dataset_name}.jsonl"
    if path.exists() and not overwrite:
        raise ConflictError(
            f"{path} already exists; allow overwriting to replace it", subject="export_exists"
        )
    pairs = preference_pairs(app, project_ref, filters)
    registry: dict[str, Any] | None = None
    info_path = folder / DATASET_INFO
    if format in LLAMAFACTORY_FORMATS:
        entry = preference_dataset_info(
            format, path.name, dataset_name, system_column=needs_system_column(pairs, system)
        )
        # Checked before any data is written.
        registry = merged_dataset_info(info_path, entry, overwrite)
    out = io.StringIO()
    write_preferences(pairs, format, out, system=system)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror or exc}") from None
    data = out.getvalue().encode("utf-8")
    replace_atomically(path, lambda handle: handle.write(data))
    if registry is not None:
        write_dataset_info(info_path, registry)
    return PreferenceExport(
        count=len(pairs),
        by_source=count_by_source(pairs),
        format=format,
        path=str(path),
        dataset_info_path=str(info_path) if registry is not None else None,
    )

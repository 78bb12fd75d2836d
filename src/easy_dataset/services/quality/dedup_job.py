"""`quality.dedup`: near-duplicates across a whole project, marked (never deleted unless
asked): each cluster keeps its best member and flags the others."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, StageParams, Words, register_stage
from easy_dataset.quality.dedup import MODES, Cluster, DedupItem, find_clusters
from easy_dataset.quality.samples import sample_text
from easy_dataset.services.app import App
from easy_dataset.services.embeddings import CachedEmbedder
from easy_dataset.services.job_support.common import unfinished_keys
from easy_dataset.services.quality.selection import check_fraction
from easy_dataset.services.quality_results import clear, record_many, target_of
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from easy_dataset.store.models import Job, JobItem

TYPE = "quality.dedup"
KEY = "all"  # one item: clusters need every member at once


def load_items(session: Session, project_id: int, target: str) -> list[DedupItem]:
    """What deduplication compares: a sample's text (`quality.samples.sample_text`: a QA
    pair's question and answer, a dialogue's every turn), or a question's text."""
    if target == "qa":
        rows = session.execute(
            select(
                QAPair.id,
                QAPair.kind,
                QAPair.question,
                QAPair.answer,
                QAPair.messages,
                QAPair.score,
                QAPair.confirmed,
            )
            .where(QAPair.project_id == project_id)
            .order_by(QAPair.id)
        )
        judged = dict(
            session.execute(
                select(QualityResult.qa_id, QualityResult.score).where(
                    QualityResult.project_id == project_id, QualityResult.kind == "judge"
                )
            ).all()
        )
        # The reviewer's score counts first; the judge's stands in where there is none.
        return [
            DedupItem(
                qa_id,
                sample_text(kind, question, answer, messages),
                score if score is not None else judged.get(qa_id),
                confirmed,
            )
            for qa_id, kind, question, answer, messages, score, confirmed in rows
        ]
    questions = session.execute(
        select(Question.id, Question.text)
        .where(Question.project_id == project_id)
        .order_by(Question.id)
    )
    return [DedupItem(question_id, text) for question_id, text in questions]


def check_options(params: dict[str, Any]) -> None:
    target_of(params.get("target", "qa"))
    mode = params.get("mode")
    if mode is not None and mode not in MODES:
        raise InputError(f"a deduplication mode is one of {', '.join(MODES)}, not {mode!r}")
    check_fraction(params, "threshold")


class DedupParams(StageParams):
    target: Literal["qa", "questions"] = Field(
        default="qa",
        description="qa (samples: question and answer, a dialogue's every turn) | questions.",
    )
    mode: Literal["exact", "minhash", "semantic"] | None = Field(
        default=None, description="Default: the project's setting (minhash)."
    )
    threshold: float | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Jaccard (minhash) or cosine (semantic) similarity; default the mode's.",
    )


@register_stage
class Deduplicate(Stage[DedupParams]):
    """One item; params: target ("qa" or "questions"), mode (exact, minhash, semantic;
    default the project's), threshold (Jaccard or cosine; default the mode's)."""

    name: ClassVar[str] = TYPE
    group = "quality"
    order = 130
    label = Words("Deduplication", "去重")
    help = Words(
        "Mark near-duplicates: each cluster keeps its best member; nothing is deleted.",
        "标记近似重复：每个簇保留最好的一个，不删除任何数据。",
    )
    Params = DedupParams
    command = ("quality", "dedup")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        check_options(params)
        with app.db.session() as session:
            busy = unfinished_keys(session, project_id, TYPE)
        return [] if KEY in busy else [KEY]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        assert ctx.project_id is not None
        settings = get_quality_settings(ctx.app, ctx.project_id)
        target = ctx.params.get("target", "qa")
        mode = ctx.params.get("mode") or settings.dedup_mode
        # The project's threshold belongs to its mode: Jaccard and cosine are different scales.
        own = settings.dedup_threshold if mode == settings.dedup_mode else None
        threshold = ctx.params.get("threshold") or own
        with ctx.app.db.session() as session:
            items = load_items(session, ctx.project_id, target)

        def work() -> list[Cluster]:
            vectors = None
            if mode == "semantic":
                vectors = CachedEmbedder(ctx.app).embed([item.text for item in items])
            return find_clusters(items, mode, threshold=threshold, vectors=vectors)

        clusters = await asyncio.to_thread(work)
        return {
            "target": target,
            "mode": mode,
            "threshold": threshold,
            "items": len(items),
            "clusters": [[c.keep, list(c.members), round(c.similarity, 4)] for c in clusters],
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        target = result["target"]
        model, column = target_of(target)
        clear(session, job.project_id, "duplicate", target)
        present = set(session.scalars(select(model.id).where(model.project_id == job.project_id)))
        rows: list[dict[str, Any]] = []
        for keep, members, similarity in result["clusters"]:
            alive = [member for member in members if member in present]
            if len(alive) < 2 or keep not in present:
                continue  # members deleted meanwhile: the cluster no longer holds
            detail = {
                "keep": keep,
                "size": len(alive),
                "mode": result["mode"],
                "threshold": result["threshold"],
            }
            rows.extend(
                {column.key: item, "score": similarity, "flagged": item != keep, "detail": detail}
                for item in alive
            )
        record_many(session, job.project_id, "duplicate", job.id, rows)

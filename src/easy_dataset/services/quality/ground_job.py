"""`quality.ground`: how well each answer is supported by its chunk, with no model call; a
dialogue's every assistant reply is, and it is as well supported as its weakest reply."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from pydantic import Field
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, StageParams, Words, register_stage
from easy_dataset.quality.grounding import DEFAULT_SUPPORT, Grounding, ground
from easy_dataset.quality.samples import replies
from easy_dataset.services.app import App
from easy_dataset.services.embeddings import CachedEmbedder
from easy_dataset.services.job_support.common import parse_key, unfinished_keys
from easy_dataset.services.quality.refusal_ground import refusal_grounded
from easy_dataset.services.quality.selection import (
    NOT_APPLICABLE,
    PairSource,
    check_fraction,
    pair_source,
    qa_ids,
    without_context,
)
from easy_dataset.services.quality_results import record
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import QAIds
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Job, JobItem

TYPE = "quality.ground"


class GroundParams(StageParams):
    threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Support (0–1) below which a sentence is unsupported (default: the "
        "project's, else calibrated).",
    )
    qa_ids: QAIds = None
    redo: bool = Field(default=False, description="Check pairs checked before too.")


@register_stage
class GroundQA(Stage[GroundParams]):
    """Items `a<qa>` for QA pairs not checked yet (params: qa_ids, redo); params: threshold
    (support below which a sentence is unsupported; default the project's, else calibrated)."""

    name: ClassVar[str] = TYPE
    group = "quality"
    order = 120
    label = Words("Grounding", "依据检查")
    help = Words(
        "Check how well each answer is supported by its chunk (no model call).",
        "检查每个答案在其文本块中的依据程度（不调用模型）。",
    )
    Params = GroundParams
    command = ("quality", "ground")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        check_fraction(params, "threshold", low_open=False)
        with app.db.session() as session:
            ids = qa_ids(session, project_id, params, unchecked="grounding")
            busy = unfinished_keys(session, project_id, TYPE)
        return [key for key in (f"a{qa_id}" for qa_id in ids) if key not in busy]

    async def setup(self, ctx: JobContext[App]) -> None:
        assert ctx.project_id is not None
        configured = get_quality_settings(ctx.app, ctx.project_id).grounding_threshold
        threshold = ctx.params.get("threshold", configured)
        ctx.state["threshold"] = DEFAULT_SUPPORT if threshold is None else float(threshold)
        ctx.state["embedder"] = CachedEmbedder(ctx.app)
        # Embedding is CPU work: items run one at a time in a worker thread.
        ctx.state["lock"] = asyncio.Lock()

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        qa_id = parse_key(key)["a"]
        with ctx.app.db.session() as session:
            if without_context(session, qa_id):
                return {"qa_id": qa_id, "score": None, "flagged": None, "detail": NOT_APPLICABLE}
            source = pair_source(session, qa_id, "checked")
        embedder: CachedEmbedder = ctx.state["embedder"]
        threshold: float = ctx.state["threshold"]
        async with ctx.state["lock"]:
            found = await asyncio.to_thread(grounded, source, embedder, threshold)
        return {"qa_id": qa_id, **found}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        if session.get(QAPair, int(result["qa_id"])) is None:
            raise NotFoundError(f"QA pair {result['qa_id']} was deleted while it was checked")
        record(
            session,
            job.project_id,
            "grounding",
            qa_id=int(result["qa_id"]),
            score=None if result["score"] is None else float(result["score"]),
            flagged=None if result["flagged"] is None else bool(result["flagged"]),
            detail=result["detail"],
            job_id=job.id,
        )


def sentences(found: Grounding) -> list[dict[str, Any]]:
    return [
        {
            "text": s.text,
            "support": round(s.support, 4),
            "semantic": round(s.semantic, 4),
            "lexical": round(s.lexical, 4),
            "supported": s.supported,
        }
        for s in found.sentences
    ]


def grounded(source: PairSource, embedder: CachedEmbedder, threshold: float) -> dict[str, Any]:
    """The score, flag and detail of one sample. A dialogue grounds each assistant reply as
    a pair's answer is: it is flagged when any reply is, scores as its weakest reply, and
    its detail lists every reply's sentences (with their `turn`) and each turn's findings.
    An unanswerable pair's answer is checked as a refusal (`refusal_grounded`)."""
    if source.unanswerable:
        return refusal_grounded(source, embedder, threshold)
    if source.kind != "dialogue":
        found = ground(source.answer, source.chunk, embedder.embed, threshold=threshold)
        return {
            "score": round(found.score, 4),
            "flagged": found.flagged,
            "detail": {
                "similarity": round(found.similarity, 4),
                "threshold": threshold,
                "unsupported": [s.text for s in found.unsupported],
                "sentences": sentences(found),
            },
        }
    turns = [
        (reply, ground(reply.reply.text, source.chunk, embedder.embed, threshold=threshold))
        for reply in replies(source.messages)
    ]
    return {
        "score": round(min(found.score for _, found in turns), 4),
        "flagged": any(found.flagged for _, found in turns),
        "detail": {
            # The report's semantic consistency reads one similarity per sample.
            "similarity": round(sum(found.similarity for _, found in turns) / len(turns), 4),
            "threshold": threshold,
            "unsupported": [s.text for _, found in turns for s in found.unsupported],
            "sentences": [
                {**sentence, "turn": reply.turn}
                for reply, found in turns
                for sentence in sentences(found)
            ],
            "turns": [
                {
                    "turn": reply.turn,
                    "message": reply.message,
                    "score": round(found.score, 4),
                    "flagged": found.flagged,
                    "similarity": round(found.similarity, 4),
                    "unsupported": [s.text for s in found.unsupported],
                }
                for reply, found in turns
            ],
        },
    }

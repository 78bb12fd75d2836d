"""`questions.unanswerable`: a share of questions (10 % by default) that fit a chunk's
subject but that the chunk does not answer, each stored with an answer that declines and
says what is known instead, marked `unanswerable: true` on the question and the sample.

A stage of its own rather than an option of `questions.generate`: it needs its own prompt
and answers its questions as it asks them (the answer stage would try to answer them), and
its share is of the questions a chunk has, which exist only once that stage has run. The
share counts every question of the chunks in scope (where a chunk has none yet, as many as
questions.generate would ask of it), so a re-run adds only what is missing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.generate import question_count
from easy_dataset.generate.unanswerable import MAX_ASKED, generate_unanswerable, share_quota
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.generation.answered import (
    UNANSWERABLE,
    AnsweredQuestion,
    store_answered,
)
from easy_dataset.services.generation.question_jobs import load_chunk_item
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk, Job, JobItem
from easy_dataset.store.queries import json_flag

TYPE = "questions.unanswerable"
DEFAULT_SHARE = 0.10


class UnanswerableParams(ModelParams):
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None
    share: float = Field(
        default=DEFAULT_SHARE,
        gt=0,
        le=0.5,
        allow_inf_nan=False,
        description="Share of all questions (of the chunks in scope) that are unanswerable "
        "once these are written.",
    )


def item_key(chunk_id: int, count: int) -> str:
    return f"c{chunk_id}:n{count}"


def unanswerable_marked() -> Any:
    """Whether a sample is marked unanswerable (its provenance says so)."""
    return json_flag(QAPair.provenance, "unanswerable")


@register_stage
class UnanswerableQuestions(ModelJob, Stage[UnanswerableParams]):
    """Items `c<chunk>:n<count>`: ask `count` unanswerable questions of the chunk, each
    with its refusal; the counts spread the share over the chunks in document order."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 36
    label = Words("Unanswerable questions", "无法回答的问题")
    help = Words(
        "Add a share of questions on each chunk's subject that it does not answer, with "
        "answers that decline and say what is known instead.",
        "按比例补充与文本块主题相关、但文本块并未回答的问题，其答案婉拒作答并说明已知内容。",
    )
    Params = UnanswerableParams
    command = ("questions", "unanswerable")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        files, only = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
        with app.db.session() as session:
            settings = generation_settings(find_project(session, project_id))
            rows = session.execute(
                select(Chunk.id, Chunk.file_id, Chunk.size)
                .where(Chunk.project_id == project_id)
                .order_by(Chunk.file_id, Chunk.ordinal)
            ).all()
            asked = _per_chunk(
                session,
                select(Question.chunk_id, func.count()).where(
                    Question.project_id == project_id, Question.origin != UNANSWERABLE
                ),
                Question.chunk_id,
            )
            refused = _per_chunk(
                session,
                select(QAPair.chunk_id, func.count()).where(
                    QAPair.project_id == project_id, unanswerable_marked()
                ),
                QAPair.chunk_id,
            )
            pending = [parse_key(key) for key in unfinished_keys(session, project_id, TYPE)]
        busy = {part["c"]: part["n"] for part in pending}
        scope = [
            (chunk_id, asked.get(chunk_id) or question_count(size, settings))
            for chunk_id, file_id, size in rows
            if (files is None or file_id in files) and (only is None or chunk_id in only)
        ]
        counts = [count for _, count in scope]
        # What another job's pending item will ask counts as made already.
        existing = [refused.get(chunk_id, 0) + busy.get(chunk_id, 0) for chunk_id, _ in scope]
        asks = share_quota(counts, existing, options.share)
        return [
            item_key(chunk_id, ask)
            for (chunk_id, _), ask in zip(scope, asks, strict=True)
            if ask > 0 and chunk_id not in busy
        ]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        parts = parse_key(key)
        chunk_id = parts["c"]
        with ctx.app.db.session() as session:
            item = load_chunk_item(session, chunk_id, None, "unanswerable questions")
            file_id = session.scalar(select(Chunk.file_id).where(Chunk.id == chunk_id))
            asked = list(
                session.scalars(
                    select(Question.text)
                    .where(Question.chunk_id == chunk_id)
                    .order_by(Question.id)
                    .limit(MAX_ASKED)
                )
            )
        language = language_for(self.settings(ctx), item.content)
        result = await generate_unanswerable(
            self.client(ctx),
            chunk=item.content,
            count=parts["n"],
            language=language,
            heading_path=item.heading_path,
            title=item.title,
            asked=asked,
            override=self.override(ctx, "unanswerable", language),
        )
        return {
            "chunk_id": chunk_id,
            "items": [{"question": r.question, "answer": r.answer} for r in result.items],
            "dropped": result.dropped,
            "model": result.provenance.model,
            "provenance": {**result.provenance.as_dict(), "job": ctx.job_id, "unanswerable": True},
            "source": {
                "file": item.title,
                "file_id": file_id,
                "chunk": chunk_id,
                "heading_path": item.heading_path,
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        made = result["provenance"]
        created = utcnow().isoformat()
        store_answered(
            session,
            job,
            chunk_id=result["chunk_id"],
            origin=UNANSWERABLE,
            model=result["model"],
            items=[
                AnsweredQuestion(
                    question=refusal["question"],
                    answer=refusal["answer"],
                    question_provenance=made,
                    sample_provenance={
                        **result["source"],
                        "context": "chunk",
                        "persona": None,
                        "persona_id": None,
                        "tag": None,
                        "tag_id": None,
                        **made,
                        "created": created,
                    },
                )
                for refusal in result["items"]
            ],
        )


def _per_chunk(session: Session, query: Any, column: Any) -> dict[int, int]:
    rows = session.execute(query.where(column.is_not(None)).group_by(column)).all()
    return {int(chunk_id): int(count) for chunk_id, count in rows}


# Typical reply sizes (tokens): a question and its short refusal.
QUESTION_TOKENS = 30
REFUSAL_TOKENS = 80


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per item: the chunk (and its questions) in, `count` refusals out."""
    parsed = [parse_key(key) for key in keys]
    with given.app.db.session() as session:
        contents = dict(
            session.execute(
                select(Chunk.id, Chunk.content).where(Chunk.id.in_([p["c"] for p in parsed]))
            ).all()
        )
    prompt = completion = 0
    for part in parsed:
        content = contents.get(part["c"], "")
        prompt += given.overhead("unanswerable", given.language(content), {"chunk": ""})
        prompt += estimate_tokens(content)
        completion += part["n"] * (QUESTION_TOKENS + REFUSAL_TOKENS)
    return Figures(len(keys), prompt, completion)

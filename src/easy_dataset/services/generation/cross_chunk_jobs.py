"""`questions.cross_chunk`: questions whose answer needs 2–3 chunks, asked and answered
from the whole group, each part of the answer credited to the chunk that supports it.

Groups are made when the job is planned (`generate/chunk_groups.py`): neighbours in one
file's outline (`headings`), or chunks of different files whose embeddings are close
(`similar`, which embeds the chunks in scope then, once per text: the vectors are cached).
An item is one group, keyed `g<first>-<second>[-<third>]`; it is done until one of its
chunks changes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import question_count
from easy_dataset.generate.chunk_groups import (
    MAX_GROUP,
    MIN_GROUP,
    ChunkGroup,
    GroupChunk,
    heading_groups,
    similar_groups,
)
from easy_dataset.generate.cross_chunk import GroupChunkText, generate_cross_chunk
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.embeddings import CachedEmbedder
from easy_dataset.services.generation.answered import (
    CROSS_CHUNK,
    AnsweredQuestion,
    store_answered,
)
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    succeeded_items,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "questions.cross_chunk"
# Measured with e5-small on bee-keeping passages in two documents: one subject told twice
# (the queen; rearing queens) 0.908; one domain, other subjects (workers and queens, honey
# and extracting it) 0.84-0.85; other domains (tax returns, garden birds) 0.75-0.82.
DEFAULT_SIMILARITY = 0.88


class CrossChunkParams(ModelParams):
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None
    grouping: Literal["headings", "similar"] = Field(
        default="headings",
        description="headings: adjacent chunks of one file in one section or sibling "
        "sections; similar: chunks of different files whose embeddings are close.",
    )
    chunks_per_question: int = Field(
        default=MIN_GROUP,
        ge=MIN_GROUP,
        le=MAX_GROUP,
        description="Chunks in a group (a group of headings may end up smaller, never below 2).",
    )
    similarity: float = Field(
        default=DEFAULT_SIMILARITY,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="similar: the cosine every two chunks of a group reach at least.",
    )
    questions_per_group: int = Field(default=2, ge=1, le=10, description="Questions per group.")


def group_key(chunk_ids: tuple[int, ...]) -> str:
    return "g" + "-".join(str(chunk_id) for chunk_id in chunk_ids)


def group_ids(key: str) -> tuple[int, ...]:
    """ "g12-40" -> (12, 40)."""
    return tuple(int(part) for part in key.removeprefix("g").split("-"))


def plan_groups(app: App, project_id: int, options: CrossChunkParams) -> list[ChunkGroup]:
    """The groups of the chunks in scope (those a question would be asked of)."""
    params = options.model_dump()
    files, only = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
    with app.db.session() as session:
        settings = generation_settings(find_project(session, project_id))
        rows = session.execute(
            select(Chunk.id, Chunk.file_id, Chunk.ordinal, Chunk.heading_path, Chunk.size)
            .where(Chunk.project_id == project_id)
            .order_by(Chunk.file_id, Chunk.ordinal)
        ).all()
    chunks = [
        GroupChunk(chunk_id, file_id, ordinal, tuple(str(h) for h in headings))
        for chunk_id, file_id, ordinal, headings, size in rows
        if (files is None or file_id in files)
        and (only is None or chunk_id in only)
        and question_count(size, settings) > 0
    ]
    if options.grouping == "headings":
        return heading_groups(chunks, options.chunks_per_question)
    with app.db.session() as session:
        contents = dict(
            session.execute(
                select(Chunk.id, Chunk.content).where(Chunk.id.in_([c.id for c in chunks]))
            ).all()
        )
    vectors = CachedEmbedder(app).embed([contents[chunk.id] for chunk in chunks])
    return similar_groups(chunks, vectors, options.chunks_per_question, options.similarity)


@register_stage
class CrossChunkQuestions(ModelJob, Stage[CrossChunkParams]):
    """Items `g<chunk>-<chunk>[-<chunk>]`, one per group not done since its chunks last
    changed; each writes questions with their answers (no answers.generate needed)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 35
    label = Words("Cross-chunk questions", "跨文本块问题")
    help = Words(
        "Ask questions that need two or three chunks (neighbours by headings, or similar "
        "chunks across files) and answer them from all of them, crediting each part.",
        "提出需要两三个文本块（按标题相邻，或跨文件相似）才能回答的问题，依据全部文本块作答，"
        "并注明每一部分的出处。",
    )
    Params = CrossChunkParams
    command = ("questions", "cross-chunk")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        groups = plan_groups(app, project_id, self.options(params))
        with app.db.session() as session:
            changed = dict(
                session.execute(
                    select(Chunk.id, Chunk.updated_at).where(Chunk.project_id == project_id)
                ).all()
            )
            finished = succeeded_items(session, project_id, TYPE)
            busy = unfinished_keys(session, project_id, TYPE)
        keys: list[str] = []
        for found in groups:
            key = group_key(found.chunk_ids)
            done_at = finished.get(key)
            latest = max(changed[chunk_id] for chunk_id in found.chunk_ids)
            if key in busy or (done_at is not None and done_at >= latest):
                continue
            keys.append(key)
        return keys

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        ids = group_ids(key)
        with ctx.app.db.session() as session:
            chunks = load_group(session, ids)
            file_id = session.scalar(select(Chunk.file_id).where(Chunk.id == ids[0]))
        language = language_for(self.settings(ctx), chunks[0].content)
        result = await generate_cross_chunk(
            self.client(ctx),
            chunks=chunks,
            count=options.questions_per_group,
            language=language,
            override=self.override(ctx, "cross_chunk", language),
        )
        similarity = None
        if options.grouping == "similar":
            similarity = weakest_cosine(CachedEmbedder(ctx.app), [c.content for c in chunks])
        first = chunks[0]
        return {
            "chunk_ids": list(ids),
            "items": [
                {
                    "question": qa.question,
                    "answer": qa.answer,
                    "support": [part.to_dict() for part in qa.support],
                }
                for qa in result.items
            ],
            "dropped": result.dropped,
            "model": result.provenance.model,
            "provenance": {
                **result.provenance.as_dict(),
                "job": ctx.job_id,
                "chunk_ids": list(ids),
                "grouping": options.grouping,
                "similarity": similarity,
            },
            "source": {
                "file": first.title,
                "file_id": file_id,
                "chunk": first.chunk_id,
                "heading_path": list(first.heading_path),
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        made = result["provenance"]
        created = utcnow().isoformat()
        store_answered(
            session,
            job,
            chunk_id=result["chunk_ids"][0],
            origin=CROSS_CHUNK,
            model=result["model"],
            items=[
                AnsweredQuestion(
                    question=qa["question"],
                    answer=qa["answer"],
                    question_provenance=made,
                    sample_provenance={
                        **result["source"],
                        # Answered from chunks: grounding and the judge read the whole group.
                        "context": "chunk",
                        "persona": None,
                        "persona_id": None,
                        "tag": None,
                        "tag_id": None,
                        **made,
                        "support": qa["support"],
                        "created": created,
                    },
                )
                for qa in result["items"]
            ],
        )


def load_group(session: Session, ids: tuple[int, ...]) -> list[GroupChunkText]:
    """The group's chunks in order, with their files' names; NotFoundError for one deleted
    since the job was planned."""
    rows = {
        chunk_id: (content, headings, title)
        for chunk_id, content, headings, title in session.execute(
            select(Chunk.id, Chunk.content, Chunk.heading_path, SourceFile.name)
            .join(SourceFile, SourceFile.id == Chunk.file_id)
            .where(Chunk.id.in_(ids))
        )
    }
    missing = [chunk_id for chunk_id in ids if chunk_id not in rows]
    if missing:
        raise NotFoundError(
            f"chunk {missing[0]} was deleted before its cross-chunk questions were made"
        )
    return [
        GroupChunkText(
            chunk_id,
            rows[chunk_id][0],
            rows[chunk_id][2] or "",
            tuple(str(h) for h in rows[chunk_id][1]),
        )
        for chunk_id in ids
    ]


def weakest_cosine(embedder: CachedEmbedder, texts: list[str]) -> float:
    """The lowest cosine between two of the texts (their vectors are cached by then)."""
    vectors = embedder.embed(texts)
    products = vectors @ vectors.T
    return round(
        float(min(products[i, j] for i in range(len(texts)) for j in range(i + 1, len(texts)))),
        4,
    )


# Typical reply sizes (tokens): a question, and an answer in two or three credited parts.
QUESTION_TOKENS = 30
ANSWER_TOKENS = 180


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per group: its chunks in, questions with their answers out."""
    options = CrossChunkParams.model_validate(given.params)
    wanted = sorted({chunk_id for key in keys for chunk_id in group_ids(key)})
    with given.app.db.session() as session:
        contents = dict(
            session.execute(select(Chunk.id, Chunk.content).where(Chunk.id.in_(wanted))).all()
        )
    prompt = 0
    for key in keys:
        texts = [contents.get(chunk_id, "") for chunk_id in group_ids(key)]
        empty = [{"text": "", "title": "", "heading_path": ""} for _ in texts]
        language = given.language(texts[0])
        prompt += given.overhead("cross_chunk", language, {"chunks": empty}, str(len(texts)))
        prompt += sum(estimate_tokens(text) for text in texts)
    per_item = options.questions_per_group * (QUESTION_TOKENS + ANSWER_TOKENS)
    return Figures(len(keys), prompt, len(keys) * per_item)

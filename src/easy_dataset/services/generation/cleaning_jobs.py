"""`chunks.clean`: the model proposes a cleaned text for each chunk; nothing changes until a
person accepts it (`services/chunk_cleaning.py`).

Items `c<chunk>`. A chunk is left out while a proposal made from its text waits, when its
text is the original of a proposal already rejected or undone, or the text of one accepted,
and when a job of this stage finished it since it last changed. A proposal that fails the
safety check fails its item with the sentences it lost (`ContentLossError`, raw reply
kept), so it is never proposed; a reply that removes nothing succeeds and stores nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from easy_dataset.chunking.furniture import running_lines
from easy_dataset.errors import NotFoundError
from easy_dataset.generate.cleaning import PROMPT, clean_chunk
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    succeeded_items,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams
from easy_dataset.store.models import Chunk, ChunkRevision, Job, JobItem, SourceFile

TYPE = "chunks.clean"


class CleanParams(ModelParams):
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None


def settled_chunks(session: Session, project_id: int) -> set[int]:
    """Chunks with nothing to clean now: a proposal made from their text waits for review
    (one made before the chunk changed is stale, and a new one replaces it), or their text
    is what a past proposal was decided on (the original kept or put back, the proposal
    accepted)."""
    rows = session.scalars(
        select(ChunkRevision.chunk_id)
        .join(Chunk, Chunk.id == ChunkRevision.chunk_id)
        .where(
            ChunkRevision.project_id == project_id,
            or_(
                and_(ChunkRevision.status == "pending", ChunkRevision.original == Chunk.content),
                and_(
                    ChunkRevision.status.in_(("rejected", "restored")),
                    ChunkRevision.original == Chunk.content,
                ),
                and_(ChunkRevision.status == "accepted", ChunkRevision.proposed == Chunk.content),
            ),
        )
    )
    return set(rows)


@register_stage
class CleanChunks(ModelJob, Stage[CleanParams]):
    """Items `c<chunk>`; see the module docstring for the chunks left out."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 5
    label = Words("Clean chunks", "清理文本块")
    help = Words(
        "Propose chunks without running headers, footers, page numbers, hyphenation breaks "
        "and scanning noise, every sentence kept; nothing changes until you accept.",
        "提出去掉页眉、页脚、页码、断词连字符和扫描噪声的文本块，保留每一句话；接受之前不做任何改动。",
    )
    Params = CleanParams
    command = ("chunks", "clean")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        files, chunks = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
        with app.db.session() as session:
            rows = session.execute(
                select(Chunk.id, Chunk.file_id, Chunk.updated_at)
                .where(Chunk.project_id == project_id)
                .order_by(Chunk.file_id, Chunk.ordinal)
            ).all()
            settled = settled_chunks(session, project_id)
            finished = succeeded_items(session, project_id, TYPE)
            busy = unfinished_keys(session, project_id, TYPE)
        keys: list[str] = []
        for chunk_id, file_id, changed in rows:
            if (files is not None and file_id not in files) or (
                chunks is not None and chunk_id not in chunks
            ):
                continue
            key = f"c{chunk_id}"
            done_at = finished.get(key)
            if chunk_id in settled or key in busy or (done_at is not None and done_at >= changed):
                continue
            keys.append(key)
        return keys

    def running(self, ctx: JobContext[App], file_id: int) -> frozenset[str]:
        """The running lines of a file's chunks, read once per file and run."""
        cache = cast(dict[int, frozenset[str]], ctx.state.setdefault("running", {}))
        if file_id not in cache:
            with ctx.app.db.session() as session:
                contents = session.scalars(select(Chunk.content).where(Chunk.file_id == file_id))
                cache[file_id] = running_lines(contents)
        return cache[file_id]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        chunk_id = parse_key(key)["c"]
        with ctx.app.db.session() as session:
            row = session.get(Chunk, chunk_id)
            if row is None:
                raise NotFoundError(f"chunk {chunk_id} was deleted before it was cleaned")
            content, file_id = row.content, row.file_id
            headings = [str(heading) for heading in row.heading_path]
            title = session.scalar(select(SourceFile.name).where(SourceFile.id == file_id))
        language = language_for(self.settings(ctx), content)
        result = await clean_chunk(
            self.client(ctx),
            chunk=content,
            running=self.running(ctx, file_id),
            heading_path=headings,
            title=title or "",
            language=language,
            override=self.override(ctx, PROMPT, language),
        )
        if result.unchanged:
            return {"chunk_id": chunk_id, "unchanged": True}
        return {
            "chunk_id": chunk_id,
            "original": content,
            "proposed": result.text,
            "provenance": {
                **result.provenance.as_dict(),
                "job": ctx.job_id,
                "prepass": result.prepass.counts(),
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        if result.get("unchanged"):
            return
        assert job.project_id is not None
        chunk_id = int(result["chunk_id"])
        if session.get(Chunk, chunk_id) is None:
            raise NotFoundError(f"chunk {chunk_id} was deleted before its cleaning was stored")
        # A chunk has at most one proposal waiting: the newest replaces an older one.
        session.execute(
            delete(ChunkRevision).where(
                ChunkRevision.chunk_id == chunk_id, ChunkRevision.status == "pending"
            )
        )
        session.add(
            ChunkRevision(
                project_id=job.project_id,
                chunk_id=chunk_id,
                status="pending",
                original=result["original"],
                proposed=result["proposed"],
                provenance=result["provenance"],
                job_id=job.id,
            )
        )


# The reply is the chunk again, less what was removed, in a small JSON wrapper.
REPLY_OVERHEAD_TOKENS = 10


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per chunk: the chunk in, about as much text out."""
    chunk_ids = [parse_key(key)["c"] for key in keys]
    with given.app.db.session() as session:
        contents = dict(
            session.execute(select(Chunk.id, Chunk.content).where(Chunk.id.in_(chunk_ids))).all()
        )
    prompt = completion = 0
    for chunk_id in chunk_ids:
        content = contents.get(chunk_id, "")
        values = {"chunk": "", "running": ()}
        size = estimate_tokens(content)
        prompt += given.overhead(PROMPT, given.language(content), values) + size
        completion += size + REPLY_OVERHEAD_TOKENS
    return Figures(len(keys), prompt, completion)

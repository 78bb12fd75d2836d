"""`questions.generate`: questions per chunk, once per active persona of the chunk's file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import Persona, generate_questions, question_count
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.services.app import App
from easy_dataset.services.hygiene import record_question
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    succeeded_items,
    tag_scope,
    unfinished_keys,
)
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams, TagIds
from easy_dataset.store.dataset import GenreAudience, Question, Tag
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "questions.generate"


def item_key(chunk_id: int, ga_pair_id: int | None) -> str:
    return f"c{chunk_id}" if ga_pair_id is None else f"c{chunk_id}:g{ga_pair_id}"


def persona_of(row: GenreAudience) -> Persona:
    return Persona(
        genre=row.genre,
        audience=row.audience,
        genre_description=row.genre_description,
        audience_description=row.audience_description,
    )


@dataclass(frozen=True)
class ChunkItem:
    """What an item keyed by chunk (and persona) is made from."""

    content: str
    heading_path: list[str]
    title: str
    persona: GenreAudience | None


def load_chunk_item(session: Session, chunk_id: int, ga_id: int | None, made: str) -> ChunkItem:
    """The chunk, its file's name and the persona of an item; `made` names what the item
    makes, for the error when one of them was deleted since the job was planned."""
    chunk = session.get(Chunk, chunk_id)
    if chunk is None:
        raise NotFoundError(f"chunk {chunk_id} was deleted before its {made} were made")
    title = session.scalar(select(SourceFile.name).where(SourceFile.id == chunk.file_id))
    persona = session.get(GenreAudience, ga_id) if ga_id is not None else None
    if ga_id is not None and persona is None:
        raise NotFoundError(f"persona {ga_id} was deleted before its {made} were made")
    headings = [str(heading) for heading in chunk.heading_path]
    return ChunkItem(chunk.content, headings, title or "", persona)


def leaf_tags(session: Session, project_id: int) -> dict[str, int]:
    """Tag name (case-folded) -> id, most specific first: a leaf wins over a parent of the
    same name, and the first of equal names wins."""
    rows = session.execute(
        select(Tag.id, Tag.name, Tag.parent_id)
        .where(Tag.project_id == project_id)
        .order_by(Tag.ordinal, Tag.id)
    ).all()
    parents = {parent for _, _, parent in rows if parent is not None}
    names: dict[str, int] = {}
    for is_leaf in (True, False):
        for tag_id, name, _ in rows:
            if (tag_id not in parents) == is_leaf:
                names.setdefault(name.casefold(), tag_id)
    return names


def leaf_names(session: Session, project_id: int) -> list[str]:
    """The names offered to the model: the tree's leaves, its most specific labels."""
    rows = session.execute(
        select(Tag.id, Tag.name, Tag.parent_id)
        .where(Tag.project_id == project_id)
        .order_by(Tag.ordinal, Tag.id)
    ).all()
    parents = {parent for _, _, parent in rows if parent is not None}
    unique: dict[str, str] = {}
    for tag_id, name, _ in rows:
        if tag_id not in parents:
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


class QuestionsParams(ModelParams):
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None
    tag_ids: Annotated[
        TagIds,
        Field(description="Only chunks with questions tagged one of these tags or one under it."),
    ] = None


@register_stage
class GenerateQuestions(ModelJob, Stage[QuestionsParams]):
    """Items `c<chunk>` or `c<chunk>:g<persona>`; params: file_ids, chunk_ids, tag_ids (the
    chunks that have questions with one of these tags or a tag under them: a chunk has no
    tag of its own, its questions carry it)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 30
    label = Words("Generate questions", "生成问题")
    help = Words(
        "Write questions for every chunk not asked yet, once per active persona of its file.",
        "为每个尚未提问的文本块生成问题，文件的每个启用的体裁-受众各一次。",
    )
    Params = QuestionsParams
    command = ("questions", "generate")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        files, chunks = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
        with app.db.session() as session:
            settings = generation_settings(find_project(session, project_id))
            tagged = tag_scope(session, project_id, params)
            if tagged is not None:
                tagged_chunks: set[int] = {
                    chunk_id
                    for chunk_id in session.scalars(
                        select(Question.chunk_id).where(
                            Question.project_id == project_id,
                            Question.tag_id.in_(sorted(tagged)),
                            Question.chunk_id.is_not(None),
                        )
                    )
                    if chunk_id is not None
                }
                chunks = tagged_chunks if chunks is None else chunks & tagged_chunks
            rows = session.execute(
                select(Chunk.id, Chunk.file_id, Chunk.size, Chunk.updated_at)
                .where(Chunk.project_id == project_id)
                .order_by(Chunk.file_id, Chunk.ordinal)
            ).all()
            personas: dict[int, list[int]] = {}
            for ga_id, file_id in session.execute(
                select(GenreAudience.id, GenreAudience.file_id)
                .where(GenreAudience.project_id == project_id, GenreAudience.active.is_(True))
                .order_by(GenreAudience.ordinal, GenreAudience.id)
            ):
                personas.setdefault(file_id, []).append(ga_id)
            # Done: questions already generated, or an item that found none to ask since the
            # chunk last changed (SQLite may give a new chunk the id of a deleted one).
            finished = succeeded_items(session, project_id, TYPE)
            done = {
                item_key(chunk_id, ga_id)
                for chunk_id, ga_id in session.execute(
                    select(Question.chunk_id, Question.ga_pair_id).where(
                        Question.project_id == project_id, Question.origin == "generated"
                    )
                )
                if chunk_id is not None
            }
            done |= unfinished_keys(session, project_id, TYPE)
        keys: list[str] = []
        for chunk_id, file_id, size, changed in rows:
            if (files is not None and file_id not in files) or (
                chunks is not None and chunk_id not in chunks
            ):
                continue
            if question_count(size, settings) <= 0:
                continue
            pairs: list[int | None] = list(personas.get(file_id, [])) or [None]
            for pair in pairs:
                key = item_key(chunk_id, pair)
                finished_at = finished.get(key)
                if key in done or (finished_at is not None and finished_at >= changed):
                    continue
                keys.append(key)
        return keys

    async def setup(self, ctx: JobContext[App]) -> None:
        await super().setup(ctx)
        with ctx.app.db.session() as session:
            ctx.state["tags"] = leaf_names(session, self.project_id(ctx))

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        parts = parse_key(key)
        chunk_id, ga_id = parts["c"], parts.get("g")
        with ctx.app.db.session() as session:
            item = load_chunk_item(session, chunk_id, ga_id, "questions")
        content, headings, title = item.content, item.heading_path, item.title
        persona = persona_of(item.persona) if item.persona is not None else None
        settings = self.settings(ctx)
        language = language_for(settings, content)
        result = await generate_questions(
            self.client(ctx),
            chunk=content,
            heading_path=headings,
            count=question_count(len(content), settings),
            language=language,
            title=title,
            persona=persona,
            tags=ctx.state["tags"] if settings.tags_enabled else None,
            override=self.override(ctx, "questions", language),
        )
        return {
            "chunk_id": chunk_id,
            "ga_pair_id": ga_id,
            "questions": [{"text": q.text, "tag": q.tag} for q in result.questions],
            "dropped": result.dropped,
            "provenance": {**result.provenance.as_dict(), "job": ctx.job_id},
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        tags = leaf_tags(session, job.project_id) if result["questions"] else {}
        added: list[Question] = []
        for question in result["questions"]:
            tag = question.get("tag")
            added.append(
                Question(
                    project_id=job.project_id,
                    chunk_id=result["chunk_id"],
                    ga_pair_id=result["ga_pair_id"],
                    # By name, now: the tree may have been edited while the model wrote.
                    tag_id=tags.get(tag.casefold()) if tag else None,
                    text=question["text"],
                    origin="generated",
                    provenance=result["provenance"],
                )
            )
        session.add_all(added)
        session.flush()
        # What hygiene could not repair (an instruction posing as a question) is flagged.
        for stored in added:
            record_question(session, job.project_id, stored, job.id)

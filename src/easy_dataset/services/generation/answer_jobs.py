"""`answers.generate`: a grounded answer with chain of thought for each unanswered question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.generate import AnswerResult, Persona, draft_answer, finish_cot
from easy_dataset.generate.citations import draft_cited_answer
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.services.app import App
from easy_dataset.services.generation.answered import ANSWERED_WHEN_ASKED
from easy_dataset.services.generation.citations import checked_quotes, record_citations
from easy_dataset.services.generation.distill_scope import DISTILLED, tag_path
from easy_dataset.services.generation.question_jobs import persona_of
from easy_dataset.services.generation.voting import MAX_VOTES, check_votes, record_votes, vote
from easy_dataset.services.hygiene import record_pair
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    tag_scope,
    unfinished_keys,
)
from easy_dataset.services.stage_options import FileIds, ModelParams, QuestionIds, TagIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import GenreAudience, QAPair, Question, Tag
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "answers.generate"
PROMPTS = ("answer", "answer_open", "answer_cited", "cot_synthesize", "cot_open", "cot_rewrite")


@dataclass(frozen=True)
class Source:
    """A question with everything its answer is grounded in and credited to; a question
    written by hand without a chunk has none (`chunk_id` None, `content` "")."""

    question_id: int
    text: str
    chunk_id: int | None
    content: str
    heading_path: list[str]
    file_id: int | None
    file_name: str
    persona: Persona | None
    ga_pair_id: int | None
    tag_id: int | None
    tag: str | None
    origin: str = "generated"
    # The question's tags from the top of the tree down, as the tree is now (else as they
    # were when a distilled question was written): the subject of an answer with no chunk.
    tag_path: tuple[str, ...] = ()


def answers_without_context(origin: str) -> bool:
    """Whether a question with no chunk is answered from the model's own knowledge: a
    distilled one, and one written by hand, stand on their own; a generated one whose chunk
    was deleted asked about text that is gone, so it is left out (and counted as such)."""
    return origin in ("manual", DISTILLED)


def load_source(session: Session, question_id: int) -> Source:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFoundError(f"question {question_id} was deleted before it was answered")
    chunk = session.get(Chunk, question.chunk_id) if question.chunk_id is not None else None
    if chunk is None and not answers_without_context(question.origin):
        raise InputError(f"question {question_id} has no source chunk to answer from")
    ga = session.get(GenreAudience, question.ga_pair_id) if question.ga_pair_id else None
    tag = session.get(Tag, question.tag_id) if question.tag_id is not None else None
    file_name = (
        session.scalar(select(SourceFile.name).where(SourceFile.id == chunk.file_id))
        if chunk is not None
        else None
    )
    path = tag_path(session, question.project_id, question.tag_id)
    if not path and question.origin == DISTILLED:
        path = [str(name) for name in question.provenance.get("tag_path") or []]
    return Source(
        question_id=question.id,
        text=question.text,
        chunk_id=chunk.id if chunk is not None else None,
        content=chunk.content if chunk is not None else "",
        heading_path=[str(h) for h in chunk.heading_path] if chunk is not None else [],
        file_id=chunk.file_id if chunk is not None else None,
        file_name=file_name or "",
        persona=persona_of(ga) if ga is not None else None,
        ga_pair_id=ga.id if ga is not None else None,
        tag_id=tag.id if tag is not None else None,
        tag=tag.name if tag is not None else None,
        origin=question.origin,
        tag_path=tuple(path),
    )


def source_provenance(source: Source) -> dict[str, Any]:
    distilled: dict[str, Any] = {}
    if source.origin == DISTILLED:
        path = list(source.tag_path)
        distilled = {"source": DISTILLED, "topic": path[0] if path else None, "tag_path": path}
    return {
        "file": source.file_name if source.chunk_id is not None else None,
        "file_id": source.file_id,
        "chunk": source.chunk_id,
        "heading_path": source.heading_path,
        # "chunk": answered from its chunk; "none": from the model's own knowledge.
        "context": "chunk" if source.chunk_id is not None else "none",
        "persona": source.persona.label if source.persona else None,
        "persona_id": source.ga_pair_id,
        "tag": source.tag,
        "tag_id": source.tag_id,
        **distilled,
    }


@dataclass(frozen=True)
class AnswerScope:
    """The questions a job of `answers.generate` would answer, and those it leaves out."""

    keys: list[str]
    without_context: int  # of `keys`: questions with no chunk, answered without one
    skipped_no_chunk: int  # generated questions whose chunk was deleted: never answered


def answer_scope(app: App, project_id: int, params: dict[str, Any]) -> AnswerScope:
    """Unanswered questions in scope (file_ids, question_ids, tag_ids), not already in an
    unfinished job."""
    files, only = id_filter(params, "file_ids"), id_filter(params, "question_ids")
    answered = select(QAPair.question_id).where(
        QAPair.project_id == project_id, QAPair.question_id.is_not(None)
    )
    query = (
        select(Question.id, Question.origin, Question.tag_id, Chunk.id, Chunk.file_id)
        .outerjoin(Chunk, Chunk.id == Question.chunk_id)
        .where(
            Question.project_id == project_id,
            Question.id.not_in(answered),
            Question.origin.not_in(ANSWERED_WHEN_ASKED),
        )
        .order_by(Question.id)
    )
    if only is not None:
        query = query.where(Question.id.in_(sorted(only)))
    with app.db.session() as session:
        tags = tag_scope(session, project_id, params)
        if tags is not None:
            query = query.where(Question.tag_id.in_(sorted(tags)))
        rows = session.execute(query).all()
        busy = unfinished_keys(session, project_id, TYPE)
    keys: list[str] = []
    without = skipped = 0
    for question_id, origin, _tag, chunk_id, file_id in rows:
        if chunk_id is None:
            # No file to match: a file filter leaves them out, as it leaves out other files.
            if files is not None:
                continue
            if not answers_without_context(origin):
                skipped += 1
                continue
        elif files is not None and file_id not in files:
            continue
        key = f"q{question_id}"
        if key in busy:
            continue
        keys.append(key)
        without += chunk_id is None
    return AnswerScope(keys, without, skipped)


class AnswersParams(ModelParams):
    file_ids: FileIds = None
    question_ids: QuestionIds = None
    tag_ids: Annotated[
        TagIds, Field(description="Only questions with one of these tags or a tag under it.")
    ] = None
    synthesize_cot: Annotated[
        bool,
        Field(description="Write the reasoning when the model gives none."),
        Flag("--cot"),
    ] = True
    votes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VOTES,
        description="Consistency voting: answer each question this many times and keep the "
        "answer most of them agree with (a question without a majority fails; 1: off).",
    )
    citations: bool = Field(
        default=False,
        description="Quote the spans of the chunk each answer relies on and verify every "
        "quote against the chunk (questions without a chunk are answered without quotes).",
    )


@register_stage
class GenerateAnswers(ModelJob, Stage[AnswersParams]):
    """Items `q<question>` for questions with no QA pair yet (those with a chunk, and those
    distilled or written by hand without one: answered without context); params: file_ids,
    question_ids, tag_ids (with the tags under them), synthesize_cot (default true), votes
    (consistency voting: answer k times and keep the answer a majority agree with,
    recording it), citations (the answer quotes its chunk; each quote verified, in
    provenance `citations` and a `citations` result)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 40
    label = Words("Generate answers", "生成答案")
    help = Words(
        "Answer every question with no answer yet, from its chunk (or without context for a "
        "distilled question, or one written by hand without a chunk), with reasoning.",
        "为每个尚无答案的问题作答：依据其文本块（蒸馏的问题以及手写且无文本块的问题则不带上下文），并附推理过程。",
    )
    Params = AnswersParams
    command = ("questions", "answer")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        check_votes(params.get("votes"), cached=bool(params.get("cache")))
        return answer_scope(app, project_id, params).keys

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        with ctx.app.db.session() as session:
            source = load_source(session, parse_key(key)["q"])
        language = language_for(self.settings(ctx), source.content or source.text)
        overrides = {
            name: text
            for name in PROMPTS
            if (text := self.override(ctx, name, language)) is not None
        }

        cite = bool(ctx.params.get("citations")) and bool(source.content.strip())

        async def draft() -> AnswerResult:
            common: dict[str, Any] = {
                "question": source.text,
                "chunk": source.content,
                "language": language,
                "heading_path": source.heading_path,
                "title": source.file_name,
                "persona": source.persona,
                "overrides": overrides,
            }
            if cite:
                return await draft_cited_answer(self.client(ctx), **common)
            # Only an answer without a chunk (never cited) reads the tag path.
            return await draft_answer(self.client(ctx), tag_path=source.tag_path, **common)

        votes = int(ctx.params.get("votes") or 1)
        chosen, agreement = await vote(ctx, draft, votes) if votes > 1 else (await draft(), None)
        # The chain of thought only for the answer kept: voting drafts k, finishes one.
        result = await finish_cot(
            self.client(ctx),
            chosen,
            question=source.text,
            chunk=source.content,
            language=language,
            heading_path=source.heading_path,
            synthesize_cot=bool(ctx.params.get("synthesize_cot", True)),
            overrides=overrides,
        )
        provenance = {
            **source_provenance(source),
            **result.provenance.as_dict(),
            "job": ctx.job_id,
            "created": utcnow().isoformat(),
            "cot_source": result.cot_source,
            "cot_rewrite": result.cot_rewrite,
            "steps": [{"prompt": s.prompt, "version": s.version} for s in result.steps],
        }
        if cite:
            provenance["citations"] = checked_quotes(result.quotes, source.content)
        return {
            "question_id": source.question_id,
            "question": source.text,
            "chunk_id": source.chunk_id,
            "answer": result.answer,
            "cot": result.cot,
            "model": result.provenance.model,
            "provenance": provenance,
            "agreement": agreement,
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        question_id = int(result["question_id"])
        if session.get(Question, question_id) is None:
            raise NotFoundError(f"question {question_id} was deleted while it was answered")
        if session.scalar(select(QAPair.id).where(QAPair.question_id == question_id)):
            return  # answered by another run meanwhile: one QA pair per question
        assert job.project_id is not None
        pair = QAPair(
            project_id=job.project_id,
            question_id=question_id,
            chunk_id=result["chunk_id"],
            question=result["question"],
            answer=result["answer"],
            cot=result["cot"],
            model=result["model"],
            provenance=result["provenance"],
        )
        session.add(pair)
        session.flush()
        record_pair(session, job.project_id, pair, job.id)
        if result.get("agreement") is not None:
            record_votes(session, job, pair.id, result["agreement"])
        if "citations" in result["provenance"]:
            record_citations(
                session, job.project_id, pair.id, result["provenance"]["citations"], job.id
            )

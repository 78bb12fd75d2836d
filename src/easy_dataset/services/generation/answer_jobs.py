"""`answers.generate`: a grounded answer with chain of thought for each unanswered question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.generate import AnswerResult, Persona, draft_answer, finish_cot
from easy_dataset.jobs import JobContext, register
from easy_dataset.services.app import App
from easy_dataset.services.generation.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.generation.question_jobs import persona_of
from easy_dataset.services.generation.voting import check_votes, record_votes, vote
from easy_dataset.services.quality.hygiene import record_pair
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import GenreAudience, QAPair, Question, Tag
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "answers.generate"
PROMPTS = ("answer", "cot_synthesize", "cot_rewrite")


@dataclass(frozen=True)
class Source:
    """A question with everything its answer is grounded in and credited to."""

    question_id: int
    text: str
    chunk_id: int
    content: str
    heading_path: list[str]
    file_id: int
    file_name: str
    persona: Persona | None
    ga_pair_id: int | None
    tag_id: int | None
    tag: str | None


def load_source(session: Session, question_id: int) -> Source:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFoundError(f"question {question_id} was deleted before it was answered")
    chunk = session.get(Chunk, question.chunk_id) if question.chunk_id is not None else None
    if chunk is None:
        raise InputError(f"question {question_id} has no source chunk to answer from")
    ga = session.get(GenreAudience, question.ga_pair_id) if question.ga_pair_id else None
    tag = session.get(Tag, question.tag_id) if question.tag_id is not None else None
    file_name = session.scalar(select(SourceFile.name).where(SourceFile.id == chunk.file_id))
    return Source(
        question_id=question.id,
        text=question.text,
        chunk_id=chunk.id,
        content=chunk.content,
        heading_path=[str(h) for h in chunk.heading_path],
        file_id=chunk.file_id,
        file_name=file_name or "",
        persona=persona_of(ga) if ga is not None else None,
        ga_pair_id=ga.id if ga is not None else None,
        tag_id=tag.id if tag is not None else None,
        tag=tag.name if tag is not None else None,
    )


def source_provenance(source: Source) -> dict[str, Any]:
    return {
        "file": source.file_name,
        "file_id": source.file_id,
        "chunk": source.chunk_id,
        "heading_path": source.heading_path,
        "persona": source.persona.label if source.persona else None,
        "persona_id": source.ga_pair_id,
        "tag": source.tag,
        "tag_id": source.tag_id,
    }


@register
class GenerateAnswers(ModelJob):
    """Items `q<question>` for questions with a chunk and no QA pair yet; params: file_ids,
    question_ids, synthesize_cot (default true), votes (consistency voting: answer k times
    and keep the answer a majority agree with, recording the agreement)."""

    type: ClassVar[str] = TYPE

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        check_votes(params.get("votes"), cached=bool(params.get("cache")))
        files, only = id_filter(params, "file_ids"), id_filter(params, "question_ids")
        answered = select(QAPair.question_id).where(
            QAPair.project_id == project_id, QAPair.question_id.is_not(None)
        )
        query = (
            select(Question.id, Chunk.file_id)
            .join(Chunk, Chunk.id == Question.chunk_id)
            .where(Question.project_id == project_id, Question.id.not_in(answered))
            .order_by(Question.id)
        )
        with app.db.session() as session:
            rows = session.execute(query).all()
            busy = unfinished_keys(session, project_id, TYPE)
        keys = [
            f"q{question_id}"
            for question_id, file_id in rows
            if (files is None or file_id in files) and (only is None or question_id in only)
        ]
        return [key for key in keys if key not in busy]

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        with ctx.app.db.session() as session:
            source = load_source(session, parse_key(key)["q"])
        language = language_for(self.settings(ctx), source.content)
        overrides = {
            name: text
            for name in PROMPTS
            if (text := self.override(ctx, name, language)) is not None
        }

        async def draft() -> AnswerResult:
            return await draft_answer(
                self.client(ctx),
                question=source.text,
                chunk=source.content,
                language=language,
                heading_path=source.heading_path,
                title=source.file_name,
                persona=source.persona,
                overrides=overrides,
            )

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

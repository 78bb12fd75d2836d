"""`templates.apply`: each question template asked of each chunk, answered in its type."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import TemplateSpec, answer_template
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.stage_options import FileIds, ModelParams, TemplateIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question, QuestionTemplate
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "templates.apply"


class TemplatesParams(ModelParams):
    template_ids: TemplateIds = None
    file_ids: FileIds = None


@register_stage
class ApplyTemplates(ModelJob, Stage[TemplatesParams]):
    """Items `t<template>:c<chunk>` not asked yet; params: template_ids, file_ids."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 50
    label = Words("Apply templates", "应用问题模板")
    help = Words(
        "Ask each question template of each chunk not asked yet, answering in the template's type.",
        "用每个问题模板询问尚未询问过的每个文本块，并按模板的类型作答。",
    )
    Params = TemplatesParams
    command = ("templates", "apply")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        templates, files = id_filter(params, "template_ids"), id_filter(params, "file_ids")
        with app.db.session() as session:
            template_ids = [
                tid
                for tid in session.scalars(
                    select(QuestionTemplate.id)
                    .where(QuestionTemplate.project_id == project_id)
                    .order_by(QuestionTemplate.id)
                )
                if templates is None or tid in templates
            ]
            chunks = [
                chunk_id
                for chunk_id, file_id in session.execute(
                    select(Chunk.id, Chunk.file_id)
                    .where(Chunk.project_id == project_id)
                    .order_by(Chunk.file_id, Chunk.ordinal)
                )
                if files is None or file_id in files
            ]
            done = {
                f"t{tid}:c{cid}"
                for tid, cid in session.execute(
                    select(Question.template_id, Question.chunk_id).where(
                        Question.project_id == project_id, Question.template_id.is_not(None)
                    )
                )
            }
            done |= unfinished_keys(session, project_id, TYPE)
        keys = [f"t{tid}:c{cid}" for tid in template_ids for cid in chunks]
        return [key for key in keys if key not in done]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        parts = parse_key(key)
        with ctx.app.db.session() as session:
            row = session.get(QuestionTemplate, parts["t"])
            chunk = session.get(Chunk, parts["c"])
            if row is None or chunk is None:
                raise NotFoundError(f"the template or chunk of item {key} was deleted")
            spec = TemplateSpec(
                question=row.question,
                answer_type=row.answer_type,  # type: ignore[arg-type]
                labels=[str(label) for label in row.labels],
                json_schema=row.json_schema,
            )
            content, headings = chunk.content, [str(h) for h in chunk.heading_path]
            file_name = session.scalar(
                select(SourceFile.name).where(SourceFile.id == chunk.file_id)
            )
            file_id = chunk.file_id
        language = language_for(self.settings(ctx), content)
        answer = await answer_template(
            self.client(ctx),
            template=spec,
            chunk=content,
            language=language,
            override=self.override(ctx, "template_answer", language),
        )
        return {
            "template_id": parts["t"],
            "chunk_id": parts["c"],
            "question": spec.question,
            "answer": answer.answer,
            "model": answer.provenance.model,
            "provenance": {
                "file": file_name or "",
                "file_id": file_id,
                "chunk": parts["c"],
                "heading_path": headings,
                "persona": None,
                "tag": None,
                **answer.provenance.as_dict(),
                "answer_type": answer.answer_type,
                "job": ctx.job_id,
                "created": utcnow().isoformat(),
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        question = Question(
            project_id=job.project_id,
            chunk_id=result["chunk_id"],
            template_id=result["template_id"],
            text=result["question"],
            origin="template",
            provenance={k: result["provenance"][k] for k in ("model", "prompt", "version", "job")},
        )
        session.add(question)
        session.flush()
        session.add(
            QAPair(
                project_id=job.project_id,
                question_id=question.id,
                chunk_id=result["chunk_id"],
                question=result["question"],
                answer=result["answer"],
                model=result["model"],
                provenance=result["provenance"],
            )
        )

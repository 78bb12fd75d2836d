"""`personas.generate`: genre–audience pairs proposed for each file that has none yet."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import outline_text, propose_personas
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
from easy_dataset.services.stage_options import FileIds, ModelParams
from easy_dataset.store.dataset import GenreAudience
from easy_dataset.store.models import Chunk, Job, JobItem, SourceFile

TYPE = "personas.generate"
PAIRS_PER_FILE = 5
EXCERPT_CHARS = 2000


class PersonasParams(ModelParams):
    file_ids: FileIds = None
    count: int = Field(default=PAIRS_PER_FILE, ge=1, le=20, description="Personas per file.")


@register_stage
class GeneratePersonas(ModelJob, Stage[PersonasParams]):
    """One item per file without pairs (`f<id>`); params: file_ids, count (default 5)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 20
    label = Words("Generate personas", "生成体裁-受众")
    help = Words(
        "Propose genre–audience personas for each file that has none.",
        "为尚无体裁-受众的文件提出体裁-受众组合。",
    )
    Params = PersonasParams
    command = ("personas", "generate")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        only = id_filter(params, "file_ids")
        with app.db.session() as session:
            files = session.scalars(
                select(SourceFile.id)
                .where(SourceFile.project_id == project_id)
                .order_by(SourceFile.id)
            ).all()
            has_pairs = set(
                session.scalars(
                    select(GenreAudience.file_id).where(GenreAudience.project_id == project_id)
                )
            )
            busy = unfinished_keys(session, project_id, TYPE)
        keys = [
            f"f{fid}" for fid in files if fid not in has_pairs and (only is None or fid in only)
        ]
        return [key for key in keys if key not in busy]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        file_id = parse_key(key)["f"]
        with ctx.app.db.session() as session:
            row = session.get(SourceFile, file_id)
            if row is None:
                raise NotFoundError(f"file {file_id} was removed before its personas were made")
            title, outline = row.name, outline_text(row.name, row.outline)
            excerpt = file_excerpt(session, file_id)
        language = language_for(self.settings(ctx), excerpt or title)
        result = await propose_personas(
            self.client(ctx),
            title=title,
            outline=outline,
            excerpt=excerpt,
            count=int(ctx.params.get("count", PAIRS_PER_FILE)),
            language=language,
            override=self.override(ctx, "ga_pairs", language),
        )
        return {
            "file_id": file_id,
            "personas": [persona.to_dict() for persona in result.personas],
            "provenance": {**result.provenance.as_dict(), "job": ctx.job_id},
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        file_id = int(result["file_id"])
        if session.get(SourceFile, file_id) is None:
            raise NotFoundError(f"file {file_id} was removed while its personas were made")
        if session.scalar(select(GenreAudience.id).where(GenreAudience.file_id == file_id)):
            return  # another run got there first; a second set would double the questions
        assert job.project_id is not None
        for ordinal, persona in enumerate(result["personas"]):
            session.add(
                GenreAudience(
                    project_id=job.project_id, file_id=file_id, ordinal=ordinal, **persona
                )
            )


def file_excerpt(session: Session, file_id: int) -> str:
    """The file's opening chunks, up to a couple of thousand characters."""
    parts: list[str] = []
    used = 0
    for content in session.scalars(
        select(Chunk.content).where(Chunk.file_id == file_id).order_by(Chunk.ordinal).limit(5)
    ):
        parts.append(content[: EXCERPT_CHARS - used])
        used += len(parts[-1])
        if used >= EXCERPT_CHARS:
            break
    return "\n\n".join(parts)

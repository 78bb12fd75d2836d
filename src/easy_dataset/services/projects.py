"""Projects: create, list, show, delete, and their chunking settings."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.call_log import detach_project_calls
from easy_dataset.services.views import ProjectView
from easy_dataset.store.base import Base
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk, LLMCall, Project, SourceFile
from easy_dataset.text_safety import visible_name
from easy_dataset.types import ChunkSettings, GenerationSettings

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000  # served with every project list
MAX_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL bigint hold


def find_project(session: Session, ref: str | int) -> Project:
    """The project with this id or name."""
    text = str(ref).strip()
    # Only ASCII digits within SQL's integer range make an id: "²".isdigit() is true but
    # int() refuses it, and a larger number overflows the driver. Anything else is a name.
    is_id = text.isascii() and text.isdigit() and int(text) <= MAX_ID
    project = session.get(Project, int(text)) if is_id else None
    if project is None:
        project = session.scalar(select(Project).where(Project.name == text))
    if project is None:
        raise NotFoundError(f"no project {text!r}", subject="project")
    return project


def project_settings(project: Project) -> ChunkSettings:
    return ChunkSettings.model_validate(project.chunking or {})


def generation_settings(project: Project) -> GenerationSettings:
    return GenerationSettings.model_validate(project.generation or {})


def _view(app: App, session: Session, project: Project) -> ProjectView:
    file_count = session.scalar(
        select(func.count()).select_from(SourceFile).where(SourceFile.project_id == project.id)
    )
    chunk_count = session.scalar(
        select(func.count()).select_from(Chunk).where(Chunk.project_id == project.id)
    )
    return ProjectView(
        id=project.id,
        name=project.name,
        description=project.description,
        chunking=project_settings(project),
        generation=generation_settings(project),
        folder=str(app.folder(project.id).root),
        file_count=file_count or 0,
        chunk_count=chunk_count or 0,
        created_at=project.created_at,
    )


def _clean_name(name: str) -> str:
    name = visible_name(name).strip()
    if not name:
        raise InputError("a project needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(f"a project name may have at most {MAX_NAME_LENGTH} characters")
    if any(ord(char) < 32 for char in name):
        raise InputError("a project name may not contain control characters")
    if name.isascii() and name.isdigit():
        raise InputError("a project name may not be only digits (those are read as ids)")
    return name


def _checked_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InputError(
            f"a project description may have at most {MAX_DESCRIPTION_LENGTH:,} characters "
            f"(this one has {len(description):,}); keep long notes in a file of the project"
        )
    return description


def create_project(
    app: App, name: str, *, description: str = "", chunking: ChunkSettings | None = None
) -> ProjectView:
    name = _clean_name(name)
    description = _checked_description(description)
    settings = chunking or ChunkSettings()
    try:
        with app.db.session() as session:
            project = Project(
                name=name, description=description, chunking=settings.model_dump(mode="json")
            )
            session.add(project)
            session.flush()
            return _view(app, session, project)
    except IntegrityError:
        raise ConflictError(f"a project named {name!r} already exists") from None


def list_projects(app: App) -> list[ProjectView]:
    with app.db.session() as session:
        projects = session.scalars(select(Project).order_by(Project.id)).all()
        return [_view(app, session, project) for project in projects]


def get_project(app: App, ref: str | int) -> ProjectView:
    with app.db.session() as session:
        return _view(app, session, find_project(session, ref))


def set_chunking(app: App, ref: str | int, chunking: ChunkSettings) -> ProjectView:
    """Store the settings the project's files are split with from now on."""
    with app.db.session() as session:
        project = find_project(session, ref)
        project.chunking = chunking.model_dump(mode="json")
        session.flush()
        return _view(app, session, project)


def update_project(
    app: App,
    ref: str | int,
    *,
    description: str | None = None,
    chunking: ChunkSettings | None = None,
) -> ProjectView:
    """Change the description and/or the chunking settings given (None: unchanged)."""
    if description is not None:
        _checked_description(description)
    with app.db.session() as session:
        project = find_project(session, ref)
        if description is not None:
            project.description = description
        if chunking is not None:
            project.chunking = chunking.model_dump(mode="json")
        session.flush()
        return _view(app, session, project)


class ProjectSummary(ProjectView):
    """A project with what it holds and what its model calls have cost so far."""

    question_count: int
    qa_count: int
    model_calls: int
    prompt_tokens: int
    completion_tokens: int


def _summaries(
    app: App, session: Session, projects: list[Project], counts: dict[int, ProjectCounts]
) -> list[ProjectSummary]:
    ids = [project.id for project in projects]
    usage: dict[int | None, tuple[int, int, int]] = {
        key: (int(calls), int(prompt or 0), int(completion or 0))
        for key, calls, prompt, completion in session.execute(
            select(
                LLMCall.project_id,
                func.count(),
                func.sum(LLMCall.prompt_tokens),
                func.sum(LLMCall.completion_tokens),
            )
            .where(LLMCall.project_id.in_(ids))
            .group_by(LLMCall.project_id)
        ).all()
    }
    summaries = []
    for project in projects:
        calls, prompt, completion = usage.get(project.id, (0, 0, 0))
        held = counts.get(project.id, ProjectCounts())
        summaries.append(
            ProjectSummary(
                **_view(app, session, project).model_dump(),
                question_count=held.questions,
                qa_count=held.qa_pairs,
                model_calls=calls,
                prompt_tokens=prompt,
                completion_tokens=completion,
            )
        )
    return summaries


def project_summaries(
    app: App, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[ProjectSummary]]:
    """A page of projects with their counts and token totals, and how many there are."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0")
    app.usage_recorder.flush()  # so the token totals include the calls just made
    counts = project_counts(app)
    with app.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Project)) or 0
        page = session.scalars(select(Project).order_by(Project.id).limit(limit).offset(offset))
        return total, _summaries(app, session, list(page), counts)


def project_summary(app: App, ref: str | int) -> ProjectSummary:
    app.usage_recorder.flush()
    counts = project_counts(app)
    with app.db.session() as session:
        return _summaries(app, session, [find_project(session, ref)], counts)[0]


def delete_project(app: App, ref: str | int) -> ProjectView:
    """Delete the project, its rows and its folder; returns what was deleted."""
    app.usage_recorder.flush()  # its last calls are detached with the others
    with app.db.session() as session:
        project = find_project(session, ref)
        view = _view(app, session, project)
        detach_project_calls(session, project.id)
        session.delete(project)
    # The rows are gone for good once committed; only then does the folder go.
    app.folder(view.id).delete()
    return view


class ProjectCounts(BaseModel):
    """How much a project holds, for overviews."""

    files: int = 0
    chunks: int = 0
    questions: int = 0
    qa_pairs: int = 0


def project_counts(app: App) -> dict[int, ProjectCounts]:
    """Files, chunks, questions and QA pairs of every project: one grouped count per table
    (index scans on `project_id`), never the rows themselves."""
    tables: dict[str, type[Base]] = {
        "files": SourceFile,
        "chunks": Chunk,
        "questions": Question,
        "qa_pairs": QAPair,
    }
    counts: dict[int, ProjectCounts] = {}
    with app.db.session() as session:
        for project_id in session.scalars(select(Project.id)):
            counts[project_id] = ProjectCounts()
        for field, table in tables.items():
            column = table.__table__.c.project_id
            grouped = session.execute(select(column, func.count()).group_by(column))
            for project_id, count in grouped:
                if project_id in counts:
                    setattr(counts[project_id], field, count)
    return counts

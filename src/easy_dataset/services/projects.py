"""Projects: create, list, show, delete, and their chunking settings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.views import ProjectView
from easy_dataset.store.models import Chunk, Project, SourceFile
from easy_dataset.types import ChunkSettings, GenerationSettings

MAX_NAME_LENGTH = 200


def find_project(session: Session, ref: str | int) -> Project:
    """The project with this id or name."""
    text = str(ref).strip()
    project = session.get(Project, int(text)) if text.isdigit() else None
    if project is None:
        project = session.scalar(select(Project).where(Project.name == text))
    if project is None:
        raise NotFoundError(
            f"no project {text!r}; `easy-dataset project list` shows the projects there are"
        )
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
    name = name.strip()
    if not name:
        raise InputError("a project needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(f"a project name may have at most {MAX_NAME_LENGTH} characters")
    if any(ord(char) < 32 for char in name):
        raise InputError("a project name may not contain control characters")
    if name.isdigit():
        raise InputError("a project name may not be only digits (those are read as ids)")
    return name


def create_project(
    app: App, name: str, *, description: str = "", chunking: ChunkSettings | None = None
) -> ProjectView:
    name = _clean_name(name)
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


def delete_project(app: App, ref: str | int) -> ProjectView:
    """Delete the project, its rows and its folder; returns what was deleted."""
    with app.db.session() as session:
        project = find_project(session, ref)
        view = _view(app, session, project)
        session.delete(project)
    # The rows are gone for good once committed; only then does the folder go.
    app.folder(view.id).delete()
    return view

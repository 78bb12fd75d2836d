"""Genre–audience personas by hand: list, add, edit, switch on or off."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.files import find_file
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import GenreAudience

MAX_NAME = 200


class PersonaView(BaseModel):
    id: int
    file_id: int
    genre: str
    genre_description: str
    audience: str
    audience_description: str
    active: bool


def _view(row: GenreAudience) -> PersonaView:
    return PersonaView.model_validate(row, from_attributes=True)


def _name(value: str, what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise InputError(f"a {what} needs 1 to {MAX_NAME} characters")
    return cleaned


def _find(session: Session, project_id: int, persona_id: int) -> GenreAudience:
    row = session.get(GenreAudience, persona_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no persona {persona_id} in this project", subject="persona")
    return row


def list_personas(
    app: App, project_ref: str | int, *, file_id: int | None = None
) -> list[PersonaView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(GenreAudience).where(GenreAudience.project_id == project.id)
        if file_id is not None:
            query = query.where(GenreAudience.file_id == file_id)
        order = (GenreAudience.file_id, GenreAudience.ordinal, GenreAudience.id)
        return [_view(row) for row in session.scalars(query.order_by(*order))]


def add_persona(
    app: App,
    project_ref: str | int,
    file_id: int,
    *,
    genre: str,
    audience: str,
    genre_description: str = "",
    audience_description: str = "",
) -> PersonaView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        find_file(session, project.id, file_id)
        last = session.scalar(
            select(func.max(GenreAudience.ordinal)).where(GenreAudience.file_id == file_id)
        )
        row = GenreAudience(
            project_id=project.id,
            file_id=file_id,
            genre=_name(genre, "genre"),
            audience=_name(audience, "audience"),
            genre_description=genre_description.strip(),
            audience_description=audience_description.strip(),
            ordinal=(last if last is not None else -1) + 1,
        )
        session.add(row)
        session.flush()
        return _view(row)


def edit_persona(
    app: App,
    project_ref: str | int,
    persona_id: int,
    *,
    genre: str | None = None,
    audience: str | None = None,
    genre_description: str | None = None,
    audience_description: str | None = None,
) -> PersonaView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, persona_id)
        if genre is not None:
            row.genre = _name(genre, "genre")
        if audience is not None:
            row.audience = _name(audience, "audience")
        if genre_description is not None:
            row.genre_description = genre_description.strip()
        if audience_description is not None:
            row.audience_description = audience_description.strip()
        session.flush()
        return _view(row)


def set_personas_active(
    app: App, project_ref: str | int, persona_ids: list[int], active: bool
) -> list[PersonaView]:
    """Switch personas on or off; questions are generated once per active persona."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [_find(session, project.id, pid) for pid in dict.fromkeys(persona_ids)]
        for row in rows:
            row.active = active
        session.flush()
        return [_view(row) for row in rows]

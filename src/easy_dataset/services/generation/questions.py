"""Questions by hand: list, add, edit, delete."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.generation.views import QuestionView, question_view
from easy_dataset.services.projects import find_project
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import GenreAudience, QAPair, Question, Tag
from easy_dataset.store.models import Chunk

ORIGINS = ("generated", "template", "manual", "distilled", "cross_chunk", "unanswerable")


def _text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError("a question needs some text")
    return cleaned


Owned = type[Tag] | type[Chunk] | type[GenreAudience]
_NAMES: dict[Owned, str] = {Tag: "tag", Chunk: "chunk", GenreAudience: "persona"}


def _owned(session: Session, model: Owned, ident: int, project_id: int) -> None:
    """Refuse an id that does not exist or belongs to another project."""
    if getattr(session.get(model, ident), "project_id", None) != project_id:
        raise NotFoundError(f"no {_NAMES[model]} {ident} in this project", subject=_NAMES[model])


def _find(session: Session, project_id: int, question_id: int) -> Question:
    row = session.get(Question, question_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no question {question_id} in this project", subject="question")
    return row


def _view(session: Session, row: Question) -> QuestionView:
    tag = session.get(Tag, row.tag_id) if row.tag_id is not None else None
    answered = session.scalar(select(exists().where(QAPair.question_id == row.id)))
    return question_view(row, tag.name if tag else None, bool(answered))


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def _filtered(
    query: Q,
    *,
    file_id: int | None = None,
    chunk_id: int | None = None,
    tag_id: int | None = None,
    untagged: bool | None = None,
    origin: str | None = None,
    answered: bool | None = None,
    search: str | None = None,
) -> Q:
    if origin is not None and origin not in ORIGINS:
        raise InputError(f"origin must be one of {', '.join(ORIGINS)}")
    if file_id is not None:
        query = query.where(Question.chunk_id.in_(select(Chunk.id).where(Chunk.file_id == file_id)))
    if chunk_id is not None:
        query = query.where(Question.chunk_id == chunk_id)
    if tag_id is not None:
        query = query.where(Question.tag_id == tag_id)
    if untagged is not None:
        query = query.where(Question.tag_id.is_(None) if untagged else Question.tag_id.is_not(None))
    if origin is not None:
        query = query.where(Question.origin == origin)
    if answered is not None:
        has_pair = exists().where(QAPair.question_id == Question.id)
        query = query.where(has_pair if answered else ~has_pair)
    if search:
        query = query.where(Question.text.icontains(search, autoescape=True))
    return query


def list_questions(
    app: App,
    project_ref: str | int,
    *,
    limit: int = 100,
    offset: int = 0,
    after: int | None = None,
    **filters: Any,
) -> list[QuestionView]:
    """The project's questions, oldest first, narrowed by any of the filters (file_id,
    chunk_id, tag_id, untagged, origin, answered, search); `after` is the last id of the
    previous page."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        answered = exists().where(QAPair.question_id == Question.id)
        query = (
            select(Question, Tag.name, answered)
            .outerjoin(Tag, Tag.id == Question.tag_id)
            .where(Question.project_id == project.id)
        )
        if after is not None:
            query = query.where(Question.id > after)
        query = _filtered(query, **filters).order_by(Question.id).limit(limit).offset(offset)
        return [
            question_view(row, tag, bool(done)) for row, tag, done in session.execute(query).all()
        ]


def count_questions(app: App, project_ref: str | int, **filters: Any) -> int:
    """How many questions match the filters of `list_questions`."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(func.count(Question.id)).where(Question.project_id == project.id)
        return int(session.scalar(_filtered(query, **filters)) or 0)


def count_questions_by_tag(
    app: App, project_ref: str | int, **filters: Any
) -> dict[int | None, int]:
    """How many questions match the filters, per tag id (None: untagged), in one query."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = (
            select(Question.tag_id, func.count(Question.id))
            .where(Question.project_id == project.id)
            .group_by(Question.tag_id)
        )
        return {
            tag_id: int(count) for tag_id, count in session.execute(_filtered(query, **filters))
        }


def add_question(
    app: App,
    project_ref: str | int,
    text: str,
    *,
    chunk_id: int | None = None,
    tag_id: int | None = None,
    ga_pair_id: int | None = None,
) -> QuestionView:
    """A question written by hand; with a chunk, `answers.generate` will answer it."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        for model, ident in ((Chunk, chunk_id), (Tag, tag_id), (GenreAudience, ga_pair_id)):
            if ident is not None:
                _owned(session, model, ident, project.id)
        row = Question(
            project_id=project.id,
            chunk_id=chunk_id,
            tag_id=tag_id,
            ga_pair_id=ga_pair_id,
            text=_text(text),
            origin="manual",
            provenance={"origin": "manual", "created": utcnow().isoformat()},
        )
        session.add(row)
        session.flush()
        return _view(session, row)


def edit_question(
    app: App,
    project_ref: str | int,
    question_id: int,
    *,
    text: str | None = None,
    tag_id: int | None = None,
    clear_tag: bool = False,
) -> QuestionView:
    """New text (its QA pairs ask the new text too) and/or another tag, or none."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, question_id)
        if text is not None:
            row.text = _text(text)
            session.execute(
                update(QAPair).where(QAPair.question_id == row.id).values(question=row.text)
            )
        if clear_tag:
            row.tag_id = None
        elif tag_id is not None:
            _owned(session, Tag, tag_id, project.id)
            row.tag_id = tag_id
        session.flush()
        return _view(session, row)


def delete_questions(app: App, project_ref: str | int, question_ids: list[int]) -> int:
    """Delete questions (all ids must exist, or nothing is deleted); their QA pairs stay."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [_find(session, project.id, qid) for qid in dict.fromkeys(question_ids)]
        for row in rows:
            session.delete(row)
        return len(rows)

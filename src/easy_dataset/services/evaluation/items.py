"""The items of an evaluation set: list (paged, filtered), add, edit, confirm and delete.

Every item is checked by `check_item` as it is stored, whatever its origin, so a set never
holds a choice item whose answer names no option. An edit that really changes an item's
text is noted in its provenance (`edited`), as for other samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.kinds import EVAL_KINDS, EVAL_ORIGINS, check_item
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.sets import find_set
from easy_dataset.services.evaluation.views import EvalItemView, item_view
from easy_dataset.services.projects import find_project
from easy_dataset.store.base import utcnow
from easy_dataset.store.evaluation import EvalItem
from easy_dataset.store.models import Chunk
from easy_dataset.store.queries import json_array_has_any

MAX_QUESTION = 20_000
MAX_ANSWER = 20_000
MAX_OPTION = 2_000
MAX_TAGS = 20
MAX_TAG = 200
MAX_NOTE = 5_000


def checked(
    kind: str, question: str, options: Sequence[Any], answer: str
) -> tuple[str, list[str], str]:
    """(question, options, answer) as stored, or InputError saying what is wrong."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise InputError("an item needs a question")
    if len(text) > MAX_QUESTION or len(answer) > MAX_ANSWER:
        raise InputError(
            f"a question or answer has at most {MAX_QUESTION} characters; this one is longer"
        )
    if not isinstance(options, list | tuple) or not all(isinstance(o, str) for o in options):
        raise InputError("the options are a list of texts")
    cleaned = [option.strip() for option in options]
    if any(len(option) > MAX_OPTION for option in cleaned):
        raise InputError(f"an option has at most {MAX_OPTION} characters")
    try:
        stored = check_item(kind, cleaned, answer)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return text, cleaned, stored


def checked_tags(tags: Sequence[Any]) -> list[str]:
    if not isinstance(tags, list | tuple) or not all(isinstance(tag, str) for tag in tags):
        raise InputError("a tag path is a list of texts")
    cleaned = [tag.strip() for tag in tags if tag.strip()]
    if len(cleaned) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in cleaned):
        raise InputError(f"a tag path has at most {MAX_TAGS} tags of {MAX_TAG} characters")
    return cleaned


def find_item(session: Session, project_id: int, item_id: int) -> EvalItem:
    row = session.get(EvalItem, item_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no evaluation item {item_id} in this project", subject="eval_item")
    return row


def _filtered(
    query: Select[Any],
    dialect: str,
    *,
    kind: str | None,
    tag: str | None,
    confirmed: bool | None,
    origin: str | None,
) -> Select[Any]:
    if kind is not None:
        if kind not in EVAL_KINDS:
            raise InputError(f"the kind is one of {', '.join(EVAL_KINDS)}, not {kind!r}")
        query = query.where(EvalItem.kind == kind)
    if origin is not None:
        if origin not in EVAL_ORIGINS:
            raise InputError(f"the origin is one of {', '.join(EVAL_ORIGINS)}, not {origin!r}")
        query = query.where(EvalItem.origin == origin)
    if tag:
        query = query.where(json_array_has_any(EvalItem.tag_path, [tag], dialect, casefold=True))
    if confirmed is not None:
        query = query.where(EvalItem.confirmed.is_(confirmed))
    return query


def list_items(
    app: App,
    project_ref: str | int,
    set_ref: str | int,
    *,
    kind: str | None = None,
    tag: str | None = None,
    confirmed: bool | None = None,
    origin: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EvalItemView], int]:
    """One page of a set's items in id order, and how many match in all. `tag` matches
    any level of an item's tag path, in any case."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        eval_set = find_set(session, project.id, set_ref)
        query = _filtered(
            select(EvalItem).where(EvalItem.set_id == eval_set.id),
            session.get_bind().dialect.name,
            kind=kind,
            tag=tag,
            confirmed=confirmed,
            origin=origin,
        )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(EvalItem.id).limit(limit).offset(offset))
        return [item_view(row) for row in rows], total


def get_item(app: App, project_ref: str | int, item_id: int) -> EvalItemView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return item_view(find_item(session, project.id, item_id))


def add_item(
    app: App,
    project_ref: str | int,
    set_ref: str | int,
    *,
    kind: str,
    question: str,
    answer: str,
    options: Sequence[str] = (),
    tag_path: Sequence[str] = (),
    chunk_id: int | None = None,
    note: str = "",
) -> EvalItemView:
    """An item written by a person (origin manual)."""
    text, cleaned, stored = checked(kind, question, list(options), answer)
    tags = checked_tags(list(tag_path))
    if len(note) > MAX_NOTE:
        raise InputError(f"a note has at most {MAX_NOTE} characters")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        eval_set = find_set(session, project.id, set_ref)
        if chunk_id is not None:
            chunk = session.get(Chunk, chunk_id)
            if chunk is None or chunk.project_id != project.id:
                raise NotFoundError(f"no chunk {chunk_id} in this project", subject="chunk")
        row = EvalItem(
            project_id=project.id,
            set_id=eval_set.id,
            kind=kind,
            question=text,
            options=cleaned,
            answer=stored,
            chunk_id=chunk_id,
            tag_path=tags,
            origin="manual",
            note=note.strip(),
        )
        session.add(row)
        session.flush()
        return item_view(row)


def edit_item(
    app: App,
    project_ref: str | int,
    item_id: int,
    *,
    kind: str | None = None,
    question: str | None = None,
    options: Sequence[str] | None = None,
    answer: str | None = None,
    tag_path: Sequence[str] | None = None,
    note: str | None = None,
    confirmed: bool | None = None,
) -> EvalItemView:
    """Change an item; the whole item is checked again, so changing a choice item's options
    needs an answer that still names one of them. A held-out item's question and answer
    are its own copy: the QA pair it came from is not changed."""
    given = (kind, question, options, answer, tag_path, note, confirmed)
    if all(value is None for value in given):
        raise InputError("nothing to change: give a question, options, an answer, tags, a note")
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(f"a note has at most {MAX_NOTE} characters")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_item(session, project.id, item_id)
        new_kind = row.kind if kind is None else kind
        text, cleaned, stored = checked(
            new_kind,
            row.question if question is None else question,
            list(row.options or []) if options is None else list(options),
            row.answer if answer is None else answer,
        )
        before = (row.kind, row.question, list(row.options or []), row.answer)
        row.kind, row.question, row.options, row.answer = new_kind, text, cleaned, stored
        if before != (new_kind, text, cleaned, stored):
            row.provenance = {**(row.provenance or {}), "edited": utcnow().isoformat()}
        if tag_path is not None:
            row.tag_path = checked_tags(list(tag_path))
        if note is not None:
            row.note = note.strip()
        if confirmed is not None:
            row.confirmed = confirmed
        session.flush()
        return item_view(row)


def confirm_items(
    app: App, project_ref: str | int, item_ids: Sequence[int], confirmed: bool = True
) -> list[EvalItemView]:
    """Mark items confirmed (or not); all ids must exist, or nothing changes."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [find_item(session, project.id, item_id) for item_id in dict.fromkeys(item_ids)]
        for row in rows:
            row.confirmed = confirmed
        session.flush()
        return [item_view(row) for row in rows]


def delete_items(app: App, project_ref: str | int, item_ids: Sequence[int]) -> int:
    """Delete items (all ids must exist, or nothing is deleted); a held-out item deleted
    releases its QA pair for training export again."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [find_item(session, project.id, item_id) for item_id in dict.fromkeys(item_ids)]
        for row in rows:
            session.delete(row)
        session.flush()
        return len(rows)


def held_out_ids(session: Session, project_id: int) -> set[int]:
    """The QA pairs held out for evaluation in this project."""
    return set(
        session.scalars(
            select(EvalItem.qa_id).where(
                EvalItem.project_id == project_id,
                EvalItem.origin == "held_out",
                EvalItem.qa_id.is_not(None),
            )
        )
    )

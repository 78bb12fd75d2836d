"""Evaluation sets: create, list, rename and delete them, and count their items by kind."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.evaluate.kinds import EVAL_KINDS
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.views import EvalSetView, set_view
from easy_dataset.services.projects import find_project
from easy_dataset.store.evaluation import EvalItem, EvalSet

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_ID = 2**63 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name: str) -> str:
    """A set's name as stored, or InputError saying what is wrong with it."""
    text = name.strip()
    if not text:
        raise InputError("an evaluation set needs a name")
    if len(text) > MAX_NAME or _CONTROL.search(text):
        raise InputError(
            f"a set's name has at most {MAX_NAME} characters and no control characters"
        )
    return text


def _description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION:
        raise InputError(f"a set's description has at most {MAX_DESCRIPTION} characters")
    return text.strip()


def find_set(session: Session, project_id: int, ref: str | int) -> EvalSet:
    """The project's set with this name, or else this id."""
    text = str(ref).strip()
    row = session.scalar(
        select(EvalSet).where(EvalSet.project_id == project_id, EvalSet.name == text)
    )
    if row is None and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        found = session.get(EvalSet, int(text))
        row = found if found is not None and found.project_id == project_id else None
    if row is None:
        raise NotFoundError(f"no evaluation set {text!r} in this project", subject="eval_set")
    return row


def ensure_set(session: Session, project_id: int, name: str) -> EvalSet:
    """The set of that name, made (empty) when there is none."""
    name = check_name(name)
    row = session.scalar(
        select(EvalSet).where(EvalSet.project_id == project_id, EvalSet.name == name)
    )
    if row is None:
        row = EvalSet(project_id=project_id, name=name)
        session.add(row)
        session.flush()
    return row


def _counts(session: Session, set_ids: list[int]) -> dict[int, tuple[dict[str, int], int]]:
    """Per set: items per kind (every kind listed) and how many are confirmed."""
    found: dict[int, tuple[dict[str, int], int]] = {
        set_id: ({kind: 0 for kind in EVAL_KINDS}, 0) for set_id in set_ids
    }
    rows = session.execute(
        select(
            EvalItem.set_id,
            EvalItem.kind,
            func.count(),
            func.count().filter(EvalItem.confirmed.is_(True)),
        )
        .where(EvalItem.set_id.in_(set_ids))
        .group_by(EvalItem.set_id, EvalItem.kind)
    )
    for set_id, kind, count, confirmed in rows:
        kinds, done = found[set_id]
        kinds[kind] = kinds.get(kind, 0) + count
        found[set_id] = (kinds, done + confirmed)
    return found


def view_of(session: Session, row: EvalSet) -> EvalSetView:
    kinds, confirmed = _counts(session, [row.id])[row.id]
    return set_view(row, kinds, confirmed)


def list_sets(app: App, project_ref: str | int) -> list[EvalSetView]:
    """The project's sets by name, each with its counts."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = list(
            session.scalars(
                select(EvalSet).where(EvalSet.project_id == project.id).order_by(EvalSet.name)
            )
        )
        counts = _counts(session, [row.id for row in rows])
        return [set_view(row, *counts[row.id]) for row in rows]


def get_set(app: App, project_ref: str | int, set_ref: str | int) -> EvalSetView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return view_of(session, find_set(session, project.id, set_ref))


def create_set(app: App, project_ref: str | int, name: str, description: str = "") -> EvalSetView:
    """A new empty set; ConflictError when the project has one of that name."""
    name, description = check_name(name), _description(description)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        if session.scalar(
            select(EvalSet.id).where(EvalSet.project_id == project.id, EvalSet.name == name)
        ):
            raise ConflictError(f"the project already has an evaluation set named {name!r}")
        row = EvalSet(project_id=project.id, name=name, description=description)
        session.add(row)
        session.flush()
        return view_of(session, row)


def update_set(
    app: App,
    project_ref: str | int,
    set_ref: str | int,
    *,
    name: str | None = None,
    description: str | None = None,
) -> EvalSetView:
    """Rename a set and/or change its description."""
    if name is None and description is None:
        raise InputError("nothing to change: give a new name or a description")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_set(session, project.id, set_ref)
        if name is not None:
            name = check_name(name)
            taken = session.scalar(
                select(EvalSet.id).where(
                    EvalSet.project_id == project.id, EvalSet.name == name, EvalSet.id != row.id
                )
            )
            if taken:
                raise ConflictError(f"the project already has an evaluation set named {name!r}")
            row.name = name
        if description is not None:
            row.description = _description(description)
        session.flush()
        return view_of(session, row)


def delete_set(app: App, project_ref: str | int, set_ref: str | int) -> EvalSetView:
    """Delete a set with its items (and the runs on it); held-out pairs become exportable."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_set(session, project.id, set_ref)
        view = view_of(session, row)
        session.delete(row)
        session.flush()
        return view

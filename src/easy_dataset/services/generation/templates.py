"""Question templates by hand: a fixed question asked of every chunk, with its answer type."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.generate.jsonshape import schema_problems
from easy_dataset.generate.templates import json_answer_type
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import QuestionTemplate

AnswerType = Literal["text", "label", "json"]
MAX_LABELS = 200


class TemplateView(BaseModel):
    id: int
    question: str
    answer_type: AnswerType
    labels: list[str]
    json_schema: dict[str, Any] | None


def _view(row: QuestionTemplate) -> TemplateView:
    return TemplateView(
        id=row.id,
        question=row.question,
        answer_type=row.answer_type,  # type: ignore[arg-type]
        labels=[str(label) for label in row.labels or []],
        json_schema=row.json_schema,
    )


def _checked(
    question: str,
    answer_type: str,
    labels: list[str] | None,
    json_schema: dict[str, Any] | None,
) -> tuple[str, AnswerType, list[str], dict[str, Any] | None]:
    """The template's parts, cleaned, or an InputError saying what is missing."""
    text = " ".join(question.split())
    if not text:
        raise InputError("a question template needs a question")
    cleaned = list(dict.fromkeys(" ".join(label.split()) for label in labels or []))
    if answer_type == "text":
        return text, "text", [], None
    if answer_type == "label":
        if len(cleaned) < 2 or "" in cleaned or len(cleaned) > MAX_LABELS:
            raise InputError(f"a label answer needs 2 to {MAX_LABELS} distinct, non-empty labels")
        return text, "label", cleaned, None
    if answer_type == "json":
        if not isinstance(json_schema, dict) or not json_schema:
            raise InputError("a JSON answer needs a JSON schema (an object)")
        problems = schema_problems(json_schema)
        if problems:
            raise InputError("the answer's JSON schema is unusable: " + "; ".join(problems))
        json_answer_type(json_schema)  # refuses $refs that point nowhere
        return text, "json", [], json_schema
    raise InputError(f"an answer type is text, label or json, not {answer_type!r}")


def _find(session: Session, project_id: int, template_id: int) -> QuestionTemplate:
    row = session.get(QuestionTemplate, template_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(
            f"no question template {template_id} in this project", subject="template"
        )
    return row


def list_templates(app: App, project_ref: str | int) -> list[TemplateView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(QuestionTemplate).where(QuestionTemplate.project_id == project.id)
        return [_view(row) for row in session.scalars(query.order_by(QuestionTemplate.id))]


def add_template(
    app: App,
    project_ref: str | int,
    question: str,
    *,
    answer_type: str = "text",
    labels: list[str] | None = None,
    json_schema: dict[str, Any] | None = None,
) -> TemplateView:
    """A template that `templates.apply` asks of every chunk (and of chunks added later)."""
    text, kind, cleaned, schema = _checked(question, answer_type, labels, json_schema)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = QuestionTemplate(
            project_id=project.id,
            question=text,
            answer_type=kind,
            labels=cleaned,
            json_schema=schema,
        )
        session.add(row)
        session.flush()
        return _view(row)


def edit_template(
    app: App,
    project_ref: str | int,
    template_id: int,
    *,
    question: str | None = None,
    answer_type: str | None = None,
    labels: list[str] | None = None,
    json_schema: dict[str, Any] | None = None,
) -> TemplateView:
    """Change a template; chunks already asked keep their answers (delete those to re-ask)."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, template_id)
        text, kind, cleaned, schema = _checked(
            question if question is not None else row.question,
            answer_type or row.answer_type,
            labels if labels is not None else [str(label) for label in row.labels or []],
            json_schema if json_schema is not None else row.json_schema,
        )
        row.question, row.answer_type, row.labels, row.json_schema = text, kind, cleaned, schema
        session.flush()
        return _view(row)


def delete_template(app: App, project_ref: str | int, template_id: int) -> TemplateView:
    """Delete a template; the questions and answers it produced stay."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, template_id)
        view = _view(row)
        session.delete(row)
        return view

"""Prompt templates per project: list, show, override, reset and diff against the default."""

from __future__ import annotations

import difflib
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset import prompts
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.prompts import PromptInfo
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import PromptOverride


class PromptView(BaseModel):
    """One prompt in one language, as a project uses it."""

    name: str
    language: str
    version: str
    description: str
    overridden: bool
    updated_at: datetime | None = None


class PromptDetail(PromptView):
    """A prompt's effective template, the built-in default and the project's override."""

    template: str
    default: str
    override: str | None


def _info(name: str, language: str) -> PromptInfo:
    """The built-in prompt, or NotFoundError naming the prompts or languages there are."""
    prompts.check_language(language)
    return prompts.prompt_info(name, language)


def _row(session: Session, project_id: int, name: str, language: str) -> PromptOverride | None:
    return session.scalar(
        select(PromptOverride).where(
            PromptOverride.project_id == project_id,
            PromptOverride.name == name,
            PromptOverride.language == language,
        )
    )


def _view(info: PromptInfo, language: str, row: PromptOverride | None) -> PromptView:
    return PromptView(
        name=info.name,
        language=language,
        version=(
            str(info.version)
            if row is None
            else prompts.override_version(info.version, row.template)
        ),
        description=info.description,
        overridden=row is not None,
        updated_at=row.updated_at if row is not None else None,
    )


def _detail(info: PromptInfo, language: str, row: PromptOverride | None) -> PromptDetail:
    default = prompts.default_template(info.name, language)
    override = row.template if row is not None else None
    return PromptDetail(
        **_view(info, language, row).model_dump(),
        template=override if override is not None else default,
        default=default,
        override=override,
    )


def list_prompts(app: App, project_ref: str | int) -> list[PromptView]:
    """Every prompt in every language, marked where the project overrides it."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.scalars(
            select(PromptOverride).where(PromptOverride.project_id == project.id)
        ).all()
        found = {(row.name, row.language): row for row in rows}
        return [
            _view(_info(info.name, language), language, found.get((info.name, language)))
            for info in prompts.list_prompts()
            for language in prompts.LANGUAGES
        ]


def show_prompt(app: App, project_ref: str | int, name: str, language: str) -> PromptDetail:
    info = _info(name, language)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return _detail(info, language, _row(session, project.id, name, language))


def set_prompt(
    app: App, project_ref: str | int, name: str, language: str, template: str
) -> PromptDetail:
    """Store the project's own template for a prompt, after checking it renders safely."""
    info = _info(name, language)
    try:
        prompts.validate_template(name, template)
    except InputError as exc:
        raise InputError(f"{exc}; nothing was stored") from None
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _row(session, project.id, name, language)
        if row is None:
            row = PromptOverride(
                project_id=project.id, name=name, language=language, template=template
            )
            session.add(row)
        else:
            row.template = template
        session.flush()
        return _detail(info, language, row)


def reset_prompt(app: App, project_ref: str | int, name: str, language: str) -> PromptDetail:
    """Delete the project's override, so the built-in template is used again."""
    info = _info(name, language)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _row(session, project.id, name, language)
        if row is None:
            raise NotFoundError(
                f"prompt {name!r} ({language}) is not overridden in this project",
                subject="prompt_override",
            )
        session.delete(row)
        return _detail(info, language, None)


def diff_prompt(app: App, project_ref: str | int, name: str, language: str) -> str:
    """A unified diff from the built-in template to the override ("" when not overridden)."""
    detail = show_prompt(app, project_ref, name, language)
    if detail.override is None:
        return ""
    lines = difflib.unified_diff(
        detail.default.splitlines(),
        detail.override.splitlines(),
        fromfile=f"{name}.{language} (default)",
        tofile=f"{name}.{language} (override)",
        lineterm="",
    )
    return "".join(line + "\n" for line in lines)


def effective_template(app: App, project_id: int, name: str, language: str) -> str | None:
    """The project's override of a prompt, or None when the built-in template applies."""
    _info(name, language)
    with app.db.session() as session:
        row = _row(session, project_id, name, language)
        return row.template if row is not None else None

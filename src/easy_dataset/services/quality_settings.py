"""A project's quality settings: judge weights, check thresholds and report targets."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.services.app import App
from easy_dataset.services.models import resolve_model
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Project
from easy_dataset.types import QualitySettings


def quality_settings(project: Project) -> QualitySettings:
    return QualitySettings.model_validate(project.quality or {})


def get_quality_settings(app: App, project_ref: str | int) -> QualitySettings:
    with app.db.session() as session:
        return quality_settings(find_project(session, project_ref))


def update_quality_settings(app: App, project_ref: str | int, **changes: Any) -> QualitySettings:
    """Change the settings named; `targets` and `judge_weights` may be given in part. A
    judge model must name one of the project's model configurations."""
    if changes.get("judge_model") is not None:
        resolve_model(app, project_ref, changes["judge_model"])
    with app.db.session() as session:
        project = find_project(session, project_ref)
        current = quality_settings(project).model_dump(mode="json")
        for nested in ("targets", "judge_weights"):
            if isinstance(changes.get(nested), dict):
                changes[nested] = {**current[nested], **changes[nested]}
        try:
            settings = QualitySettings.model_validate({**current, **changes})
        except ValidationError as exc:
            raise InputError(f"invalid quality settings: {validation_reasons(exc)}") from None
        project.quality = settings.model_dump(mode="json")
        return settings

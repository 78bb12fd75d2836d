"""A project's generation settings: read and change them (language, density, tags...)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.types import GenerationSettings


def get_generation_settings(app: App, project_ref: str | int) -> GenerationSettings:
    with app.db.session() as session:
        return generation_settings(find_project(session, project_ref))


def update_generation_settings(
    app: App, project_ref: str | int, **changes: Any
) -> GenerationSettings:
    """Change the settings named (exact_questions=None clears it); checked together."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        current = generation_settings(project).model_dump(mode="json")
        try:
            settings = GenerationSettings.model_validate({**current, **changes})
        except ValidationError as exc:
            raise InputError(f"invalid generation settings: {validation_reasons(exc)}") from None
        project.generation = settings.model_dump(mode="json")
        return settings

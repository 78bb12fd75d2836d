"""Projects: list with what they hold, create (with another's models), show, change, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from easy_dataset.server.api.common import Limit, Offset, Page, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import models, projects
from easy_dataset.services.generation import update_generation_settings
from easy_dataset.services.projects import MAX_DESCRIPTION_LENGTH, ProjectSummary
from easy_dataset.services.views import ProjectView
from easy_dataset.types import ChunkSettings, GenerationSettings

router = APIRouter(prefix="/projects", tags=["projects"])


class NewProject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=1000)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    chunking: ChunkSettings | None = None
    copy_models_from: str | int | None = Field(
        default=None,
        description="Another project (id or name) whose model configurations, stored keys "
        "included, are copied into the new one; the keys never leave the server.",
    )


class ProjectChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION_LENGTH)
    chunking: ChunkSettings | None = Field(
        default=None, description="Replaces the chunk settings (omitted fields: defaults)."
    )
    generation: dict[str, Any] | None = Field(
        default=None,
        description="Generation settings to change (language, tags_enabled, tags_locked, "
        "tag_levels, chars_per_question, min_questions, max_questions, exact_questions, "
        "domain_rules: the rules answers.refine rewrites answers by); the others keep their "
        "values, and exact_questions: null clears it.",
    )

    @field_validator("generation")
    @classmethod
    def _known_settings(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        unknown = sorted(set(value or {}) - set(GenerationSettings.model_fields))
        if unknown:
            raise ValueError(f"unknown generation setting(s): {', '.join(unknown)}")
        return value


@router.get("")
def list_projects(core: Core, limit: Limit = 50, offset: Offset = 0) -> Page[ProjectSummary]:
    """Projects with their file, chunk, question and QA pair counts and token totals."""
    total, items = projects.project_summaries(core, limit=limit, offset=offset)
    return Page[ProjectSummary](items=items, total=total)


@router.post("", status_code=201)
def create_project(body: NewProject, core: Core) -> ProjectSummary:
    source = body.copy_models_from
    if source is not None:
        projects.get_project(core, source)  # an unknown source is refused before creating
    view = projects.create_project(
        core, body.name, description=body.description, chunking=body.chunking
    )
    if source is not None:
        models.copy_model_configs(core, source, view.id)
    return projects.project_summary(core, view.id)


@router.get("/{project}")
def show_project(project: ProjectRef, core: Core) -> ProjectSummary:
    return projects.project_summary(core, project)


@router.patch("/{project}")
def update_project(project: ProjectRef, body: ProjectChanges, core: Core) -> ProjectSummary:
    """Change the description, chunking and/or generation settings."""
    # Generation changes are checked as a whole by the service, so they go first: a refusal
    # there leaves the other settings unchanged too.
    if body.generation:
        update_generation_settings(core, project, **body.generation)
    if body.description is not None or body.chunking is not None:
        projects.update_project(core, project, description=body.description, chunking=body.chunking)
    return projects.project_summary(core, project)


@router.delete("/{project}")
def delete_project(project: ProjectRef, core: Core) -> ProjectView:
    """Delete the project with everything in it (files, chunks, questions, keys)."""
    return projects.delete_project(core, project)

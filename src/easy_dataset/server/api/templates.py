"""Question templates: a fixed question asked of every chunk, answered as text, a label from
a list, or JSON of a given shape; applying them is the templates stage."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.server.api.common import IdPath, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.generation import templates
from easy_dataset.services.generation.templates import TemplateView

router = APIRouter(prefix="/projects/{project}/templates", tags=["question templates"])


class NewTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=4000)
    answer_type: Literal["text", "label", "json"] = "text"
    labels: list[str] | None = Field(default=None, max_length=200)
    json_schema: dict[str, Any] | None = None


class TemplateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(default=None, min_length=1, max_length=4000)
    answer_type: Literal["text", "label", "json"] | None = None
    labels: list[str] | None = Field(default=None, max_length=200)
    json_schema: dict[str, Any] | None = None


@router.get("")
def list_templates(project: ProjectRef, core: Core) -> list[TemplateView]:
    return templates.list_templates(core, project)


@router.post("", status_code=201)
def add_template(project: ProjectRef, body: NewTemplate, core: Core) -> TemplateView:
    return templates.add_template(
        core,
        project,
        body.question,
        answer_type=body.answer_type,
        labels=body.labels,
        json_schema=body.json_schema,
    )


@router.patch("/{template_id}")
def edit_template(
    project: ProjectRef, template_id: IdPath, body: TemplateChange, core: Core
) -> TemplateView:
    return templates.edit_template(core, project, template_id, **body.model_dump(exclude_none=True))


@router.delete("/{template_id}")
def delete_template(project: ProjectRef, template_id: IdPath, core: Core) -> TemplateView:
    """Delete a template; the QA pairs it produced stay."""
    return templates.delete_template(core, project, template_id)

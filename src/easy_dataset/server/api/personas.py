"""Genre–audience personas per file: list, add, edit, switch on or off; generating them is
the personas stage (POST /api/projects/{project}/stages/personas.generate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.server.api.common import MAX_ID, IdField, IdPath, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services import generation
from easy_dataset.services.generation import PersonaView

router = APIRouter(prefix="/projects/{project}/personas", tags=["personas"])

Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]


class NewPersona(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_id: IdField
    genre: Name
    audience: Name
    genre_description: Description = ""
    audience_description: Description = ""


class PersonaChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    genre: Name | None = None
    audience: Name | None = None
    genre_description: Description | None = None
    audience_description: Description | None = None
    active: bool | None = None


@router.get("")
def list_personas(
    project: ProjectRef, core: Core, file_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> list[PersonaView]:
    return generation.list_personas(core, project, file_id=file_id)


@router.post("", status_code=201)
def add_persona(project: ProjectRef, body: NewPersona, core: Core) -> PersonaView:
    return generation.add_persona(
        core,
        project,
        body.file_id,
        genre=body.genre,
        audience=body.audience,
        genre_description=body.genre_description,
        audience_description=body.audience_description,
    )


@router.patch("/{persona_id}")
def edit_persona(
    project: ProjectRef, persona_id: IdPath, body: PersonaChange, core: Core
) -> PersonaView:
    texts = body.model_dump(exclude_none=True, exclude={"active"})
    view = generation.edit_persona(core, project, persona_id, **texts)
    if body.active is not None:
        (view,) = generation.set_personas_active(core, project, [persona_id], body.active)
    return view

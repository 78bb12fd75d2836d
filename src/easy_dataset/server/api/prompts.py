"""Prompt templates per project: list, show (default and override), set, diff, reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.server.api.common import Limit, Offset, Page, ProjectRef, page_of
from easy_dataset.server.deps import Core
from easy_dataset.services import prompts
from easy_dataset.services.prompts import PromptDetail, PromptView

router = APIRouter(prefix="/projects/{project}/prompts", tags=["prompts"])

ONE = "/{name}/{language}"
PromptName = Annotated[str, Path(min_length=1, max_length=100, description="e.g. questions")]
Language = Annotated[str, Path(min_length=1, max_length=10, description="en or zh")]


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(max_length=200_000, description="A Jinja template (sandboxed).")


class PromptDiff(BaseModel):
    diff: str  # unified diff from the built-in template; "" when not overridden


@router.get("")
def list_prompts(
    project: ProjectRef, core: Core, limit: Limit = 50, offset: Offset = 0
) -> Page[PromptView]:
    """Every prompt in every language, marked where the project overrides it."""
    return page_of(prompts.list_prompts(core, project), limit, offset)


@router.get(ONE)
def show_prompt(
    project: ProjectRef, name: PromptName, language: Language, core: Core
) -> PromptDetail:
    """The template in use, the built-in default and the project's override."""
    return prompts.show_prompt(core, project, name, language)


@router.put(ONE)
def set_prompt(
    project: ProjectRef, name: PromptName, language: Language, body: PromptTemplate, core: Core
) -> PromptDetail:
    """Store the project's own template, after checking that it renders."""
    return prompts.set_prompt(core, project, name, language, body.template)


@router.get(ONE + "/diff")
def diff_prompt(
    project: ProjectRef, name: PromptName, language: Language, core: Core
) -> PromptDiff:
    return PromptDiff(diff=prompts.diff_prompt(core, project, name, language))


@router.delete(ONE)
def reset_prompt(
    project: ProjectRef, name: PromptName, language: Language, core: Core
) -> PromptDetail:
    """Drop the project's override: the built-in template applies again."""
    return prompts.reset_prompt(core, project, name, language)

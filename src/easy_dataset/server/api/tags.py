"""The domain tag tree: view, edit by hand, import, lock or switch off, and build by model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from easy_dataset.errors import InputError
from easy_dataset.server.api.common import IdField, IdPath, ProjectRef
from easy_dataset.server.deps import Core, submit_job
from easy_dataset.services import jobs, stages, tags
from easy_dataset.services.generation import get_generation_settings
from easy_dataset.services.jobs import JobView
from easy_dataset.services.tags import MAX_TAG_DESCRIPTION, MAX_TAG_NAME, TagNode

router = APIRouter(prefix="/projects/{project}/tags", tags=["tags"])

MAX_IMPORT_BYTES = 1024 * 1024

_TEXT_BODY = {
    "requestBody": {
        "required": True,
        "description": "JSON [{name, children}], Markdown headings or an indented list.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


class TagTree(BaseModel):
    tree: list[TagNode]
    locked: bool  # the model never rebuilds or revises a locked tree
    enabled: bool  # questions are labelled with tags only when enabled


class NewTag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=MAX_TAG_NAME)
    parent_id: IdField | None = None
    description: str = Field(default="", max_length=MAX_TAG_DESCRIPTION)


class TagChange(BaseModel):
    """A new name and/or a new parent (null: move to the top)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=MAX_TAG_NAME)
    parent_id: IdField | None = None

    @model_validator(mode="after")
    def _something(self) -> TagChange:
        if not self.model_fields_set & {"name", "parent_id"}:
            raise ValueError("give a new name and/or a parent_id (null: the top level)")
        return self


class TagOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locked: bool | None = None
    enabled: bool | None = None


class TagBuild(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild: bool = Field(default=False, description="Replace the tree, even a hand-made one.")
    model: str | None = Field(default=None, description="Configuration name (default: default).")
    cache: bool = Field(default=False, description="Reuse stored replies to identical requests.")


def _tree(core: Core, project: str) -> TagTree:
    settings = get_generation_settings(core, project)
    return TagTree(
        tree=tags.tag_tree(core, project),
        locked=settings.tags_locked,
        enabled=settings.tags_enabled,
    )


@router.get("")
def show_tree(project: ProjectRef, core: Core) -> TagTree:
    return _tree(core, project)


@router.post("", status_code=201)
def add_tag(project: ProjectRef, body: NewTag, core: Core) -> TagNode:
    return tags.add_tag(
        core, project, body.name, parent_id=body.parent_id, description=body.description
    )


@router.patch("/{tag_id}")
def change_tag(project: ProjectRef, tag_id: IdPath, body: TagChange, core: Core) -> TagNode:
    """Rename a tag and/or move it (with its subtree) under another parent."""
    node: TagNode | None = None
    if "parent_id" in body.model_fields_set:
        node = tags.move_tag(core, project, tag_id, body.parent_id)
    if body.name is not None:
        node = tags.rename_tag(core, project, tag_id, body.name)
    if node is None:
        raise InputError("a tag's name cannot be null; give a name")
    return node


@router.delete("/{tag_id}")
def delete_tag(project: ProjectRef, tag_id: IdPath, core: Core) -> TagNode:
    """Delete a tag and its subtree; questions labelled with them stay, untagged."""
    return tags.delete_tag(core, project, tag_id)


@router.post("/import", openapi_extra=_TEXT_BODY)
async def import_tags(
    project: ProjectRef,
    request: Request,
    core: Core,
    replace: Annotated[bool, Query(description="Drop the current tree first.")] = False,
) -> TagTree:
    """Add a whole tree from text (e.g. a table of contents)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IMPORT_BYTES:
            raise InputError(f"a tag tree to import may have at most {MAX_IMPORT_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the tag tree must be UTF-8 text") from None
    await run_in_threadpool(tags.import_tags, core, project, text, replace=replace)
    return await run_in_threadpool(_tree, core, project)


@router.put("/options")
def set_options(project: ProjectRef, body: TagOptions, core: Core) -> TagTree:
    """Lock the tree against model rebuilds, or switch tagging off (or back on)."""
    tags.set_tag_options(core, project, locked=body.locked, enabled=body.enabled)
    return _tree(core, project)


@router.post("/build", status_code=202)
def build_tags(project: ProjectRef, body: TagBuild, request: Request, core: Core) -> JobView:
    """Start the job in which the model builds (or revises) the tree; poll /api/jobs/{id}."""
    job_id = stages.start_stage(
        core,
        project,
        "tags.build",
        rebuild=body.rebuild or None,
        model=body.model,
        cache=body.cache or None,
    )
    submit_job(request, job_id)
    return jobs.show_job(core, job_id, failures=0, summary=False).job

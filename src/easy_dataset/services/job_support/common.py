"""What every generation job shares: the project's model client, settings, language,
prompt overrides, and the bookkeeping that keeps re-runs from redoing work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.jobs import JobContext, JobHandler
from easy_dataset.llm.types import ChatClient
from easy_dataset.prompts import detect_language
from easy_dataset.services.app import App
from easy_dataset.services.models import open_model, resolve_model
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.prompts import effective_template
from easy_dataset.store.dataset import Tag
from easy_dataset.store.models import Job, JobItem
from easy_dataset.types import GenerationSettings

UNFINISHED = ("pending", "paused", "running")


def open_project_model(app: App, project_id: int, params: dict[str, Any]) -> ChatClient:
    """The project's model (`params["model"]` names a configuration; else the default, else
    the embedded one), with the response cache when `params["cache"]` is true."""
    resolved = resolve_model(app, project_id, params.get("model"))
    return open_model(app, resolved, use_cache=bool(params.get("cache", False)))


def load_settings(app: App, project_id: int) -> GenerationSettings:
    with app.db.session() as session:
        return generation_settings(find_project(session, project_id))


def language_for(settings: GenerationSettings, text: str) -> str:
    """The project's language, or for "auto" the language the text is written in."""
    return settings.language if settings.language != "auto" else detect_language(text)


def unfinished_keys(session: Session, project_id: int, job_type: str) -> set[str]:
    """Items still pending in this project's unfinished jobs of this type: another run
    will do them, so a new plan must not."""
    rows = session.scalars(
        select(JobItem.key)
        .join(Job, Job.id == JobItem.job_id)
        .where(
            Job.project_id == project_id,
            Job.type == job_type,
            Job.status.in_(UNFINISHED),
            JobItem.status == "pending",
        )
    )
    return set(rows)


def succeeded_items(session: Session, project_id: int, job_type: str) -> dict[str, datetime]:
    """Items this project's jobs of this type finished (even with nothing to store), with
    when: the latest time for a key done more than once."""
    rows = session.execute(
        select(JobItem.key, JobItem.updated_at)
        .join(Job, Job.id == JobItem.job_id)
        .where(
            Job.project_id == project_id,
            Job.type == job_type,
            JobItem.status == "succeeded",
        )
    )
    done: dict[str, datetime] = {}
    for key, when in rows:
        if key not in done or when > done[key]:
            done[key] = when
    return done


def parse_key(key: str) -> dict[str, int]:
    """ "c12:g3" -> {"c": 12, "g": 3}."""
    parts: dict[str, int] = {}
    for part in key.split(":"):
        parts[part[0]] = int(part[1:])
    return parts


def id_filter(params: dict[str, Any], name: str) -> set[int] | None:
    """The ids a job is limited to (`file_ids`, `chunk_ids`...), or None for all."""
    values = params.get(name)
    return None if values is None else {int(value) for value in cast(Iterable[Any], values)}


def tag_scope(session: Session, project_id: int, params: dict[str, Any]) -> set[int] | None:
    """The tags a job is limited to (`tag_ids`), each with every tag under it, or None for
    all: choosing "Bees" takes in the questions tagged "Bees › Workers" too."""
    chosen = id_filter(params, "tag_ids")
    if chosen is None:
        return None
    children: dict[int, list[int]] = {}
    for tag_id, parent in session.execute(
        select(Tag.id, Tag.parent_id).where(Tag.project_id == project_id)
    ):
        if parent is not None:
            children.setdefault(parent, []).append(tag_id)
    scope: set[int] = set()
    todo = list(chosen)
    while todo:
        tag_id = todo.pop()
        if tag_id not in scope:
            scope.add(tag_id)
            todo.extend(children.get(tag_id, []))
    return scope


class ModelJob(JobHandler[App]):
    """A generation job: one model client and the settings for the whole run."""

    async def setup(self, ctx: JobContext[App]) -> None:
        if ctx.project_id is None:
            raise ValueError(f"a {self.type} job belongs to a project")
        ctx.state["client"] = open_project_model(ctx.app, ctx.project_id, ctx.params)
        ctx.state["settings"] = load_settings(ctx.app, ctx.project_id)
        ctx.state["overrides"] = {}

    async def teardown(self, ctx: JobContext[App]) -> None:
        client = ctx.state.pop("client", None)
        if client is not None:
            await client.aclose()

    @staticmethod
    def client(ctx: JobContext[App]) -> ChatClient:
        return cast(ChatClient, ctx.state["client"])

    @staticmethod
    def settings(ctx: JobContext[App]) -> GenerationSettings:
        return cast(GenerationSettings, ctx.state["settings"])

    @staticmethod
    def project_id(ctx: JobContext[App]) -> int:
        assert ctx.project_id is not None
        return ctx.project_id

    @staticmethod
    def override(ctx: JobContext[App], name: str, language: str) -> str | None:
        """The project's own template for a prompt, read once per run and language."""
        cache: dict[tuple[str, str], str | None] = ctx.state["overrides"]
        key = (name, language)
        if key not in cache:
            assert ctx.project_id is not None
            cache[key] = effective_template(ctx.app, ctx.project_id, name, language)
        return cache[key]

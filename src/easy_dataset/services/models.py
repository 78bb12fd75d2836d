"""Model configurations per project: add, edit, list, remove, choose the default, test, open."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from easy_dataset.errors import (
    ConfigError,
    ConflictError,
    InputError,
    ModelCallError,
    NotFoundError,
    validation_reasons,
)
from easy_dataset.llm.catalog import ConnectionReport
from easy_dataset.llm.context import call_scope
from easy_dataset.llm.local import DEFAULT_LOCAL_CONFIG
from easy_dataset.llm.types import ChatClient, Completion, Message, ModelConfig, StreamEvent
from easy_dataset.services.app import App
from easy_dataset.services.call_log import detach_config_calls
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Job, ModelConfigRow, ModelSecret, Project

# What a project without any configuration uses: the embedded model, no key, no network.
EMBEDDED = DEFAULT_LOCAL_CONFIG


class ModelView(BaseModel):
    """A configuration as shown to people and scripts: the key is never included."""

    id: int | None
    name: str
    is_default: bool
    config: ModelConfig
    base_url: str | None
    has_key: bool
    key_hint: str | None
    # Set when the stored settings break a rule made after they were saved: the
    # configuration is listed (so it can be removed) but cannot be used.
    problem: str | None = None


def key_hint(key: str) -> str:
    """Enough of a key to recognise it, never enough to use it."""
    return f"…{key[-4:]}" if len(key) >= 12 else "(set)"


def _resolved_url(config: ModelConfig) -> str | None:
    """The endpoint URL; None for the embedded model, which runs in-process."""
    from easy_dataset.llm.presets import resolve_base_url

    return None if config.provider == "local" else resolve_base_url(config)


def _stored(row: ModelConfigRow) -> tuple[ModelConfig, str | None]:
    """The row's configuration, and what is wrong with it if its settings are now invalid.

    When they are, the configuration returned leaves the invalid settings at their
    defaults: good for showing and removing it, never for calling the model.
    """
    try:
        return ModelConfig.model_validate(row.settings), None
    except ValidationError as exc:
        problem = (
            f"its stored settings are no longer valid ({validation_reasons(exc)}); "
            "edit it or remove it"
        )
        invalid = {error["loc"][0] for error in exc.errors() if error["loc"]}
        kept = {key: value for key, value in row.settings.items() if key not in invalid}
        kept.setdefault("name", row.name)
        kept.setdefault("model", "?")
        try:
            return ModelConfig.model_validate(kept), problem
        except ValidationError:
            return ModelConfig(name=row.name, provider="custom", model="?"), problem


def _view(row: ModelConfigRow, secret: ModelSecret | None) -> ModelView:
    config, problem = _stored(row)
    return ModelView(
        id=row.id,
        name=row.name,
        is_default=row.is_default,
        config=config,
        base_url=_resolved_url(config),
        has_key=secret is not None,
        key_hint=key_hint(secret.api_key) if secret else None,
        problem=problem,
    )


def _find(session: Session, project_id: int, name: str) -> ModelConfigRow:
    row = session.scalar(
        select(ModelConfigRow).where(
            ModelConfigRow.project_id == project_id, ModelConfigRow.name == name
        )
    )
    if row is None:
        raise NotFoundError(f"no model configuration {name!r} in this project", subject="model")
    return row


def _exists(session: Session, project_id: int, name: str) -> bool:
    return (
        session.scalar(
            select(ModelConfigRow.id).where(
                ModelConfigRow.project_id == project_id, ModelConfigRow.name == name
            )
        )
        is not None
    )


def parse_config(values: dict[str, object]) -> ModelConfig:
    """A ModelConfig from user input, with one readable line when it is invalid."""
    try:
        return ModelConfig.model_validate(values)
    except ValidationError as exc:
        raise InputError(f"invalid model configuration: {validation_reasons(exc)}") from None


def add_model(
    app: App,
    project_ref: str | int,
    config: ModelConfig,
    *,
    api_key: str | None = None,
    make_default: bool = False,
) -> ModelView:
    """Store a configuration (and its key apart); the first one becomes the default."""
    if api_key is not None and not api_key.strip():
        raise InputError("the API key is empty")
    _resolved_url(config)  # refuses a provider without a preset URL and no --base-url
    try:
        with app.db.session() as session:
            project = find_project(session, project_ref)
            existing = session.scalar(
                select(ModelConfigRow.id).where(ModelConfigRow.project_id == project.id).limit(1)
            )
            if make_default:
                session.execute(
                    update(ModelConfigRow)
                    .where(ModelConfigRow.project_id == project.id)
                    .values(is_default=False)
                )
            row = ModelConfigRow(
                project_id=project.id,
                name=config.name,
                settings=config.model_dump(mode="json"),
                is_default=make_default or existing is None,
            )
            session.add(row)
            session.flush()
            secret = None
            if api_key is not None:
                secret = ModelSecret(model_config_id=row.id, api_key=api_key.strip())
                session.add(secret)
            return _view(row, secret)
    except IntegrityError:
        raise ConflictError(
            f"a model configuration named {config.name!r} already exists in this project"
        ) from None


# Settings an edit may change; `name` renames the configuration.
EDITABLE = frozenset(ModelConfig.model_fields)


def update_model(
    app: App,
    project_ref: str | int,
    name: str,
    changes: dict[str, object],
    *,
    api_key: str | None = None,
    clear_key: bool = False,
    make_default: bool = False,
) -> ModelView:
    """Change some settings of a stored configuration; the rest (and its key) are kept.

    `changes` maps setting names to new values (None clears an optional setting back to
    its default); the merged settings are validated as a whole by ModelConfig. A new
    `api_key` replaces the stored one, `clear_key` removes it, neither keeps it.
    """
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise InputError(f"no model setting {', '.join(map(repr, unknown))}")
    if api_key is not None and not api_key.strip():
        raise InputError("the API key is empty")
    if api_key is not None and clear_key:
        raise InputError("give a new API key or clear the stored one, not both")
    try:
        with app.db.session() as session:
            project = find_project(session, project_ref)
            row = _find(session, project.id, name)
            current, _ = _stored(row)
            merged = current.model_dump(mode="json")
            # Invalid stored values are left at their defaults by _stored; only the
            # settings the user names here replace what is kept.
            for key, value in changes.items():
                if value is None and key in {"name", "model"}:
                    raise InputError(f"{key} cannot be cleared")
                merged[key] = (
                    value
                    if value is not None
                    else ModelConfig.model_fields[key].get_default(call_default_factory=True)
                )
            config = parse_config(merged)
            _resolved_url(config)
            if config.name != row.name:
                _follow_rename(session, project, row.name, config.name)
            row.name = config.name
            row.settings = config.model_dump(mode="json")
            secret = session.get(ModelSecret, row.id)
            if clear_key and secret is not None:
                session.delete(secret)
                secret = None
            elif api_key is not None:
                if secret is None:
                    secret = ModelSecret(model_config_id=row.id, api_key=api_key.strip())
                    session.add(secret)
                else:
                    secret.api_key = api_key.strip()
            if make_default:
                _make_default(session, project.id, row)
            session.flush()
            return _view(row, secret)
    except IntegrityError:
        raise ConflictError(
            f"a model configuration named {changes.get('name')!r} already exists in this project"
        ) from None


def list_models(app: App, project_ref: str | int) -> list[ModelView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(ModelConfigRow, ModelSecret)
            .outerjoin(ModelSecret, ModelSecret.model_config_id == ModelConfigRow.id)
            .where(ModelConfigRow.project_id == project.id)
            .order_by(ModelConfigRow.id)
        ).all()
        return [_view(row, secret) for row, secret in rows]


def remove_model(app: App, project_ref: str | int, name: str) -> ModelView:
    """Delete a configuration and its key; another one becomes the default if needed."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, name)
        view = _view(row, session.get(ModelSecret, row.id))
        detach_config_calls(session, row.id)
        session.delete(row)
        session.flush()
        if view.is_default:
            successor = session.scalar(
                select(ModelConfigRow)
                .where(ModelConfigRow.project_id == project.id)
                .order_by(ModelConfigRow.id)
                .limit(1)
            )
            if successor is not None:
                successor.is_default = True
        return view


def _make_default(session: Session, project_id: int, row: ModelConfigRow) -> None:
    session.execute(
        update(ModelConfigRow)
        .where(ModelConfigRow.project_id == project_id)
        .values(is_default=False)
    )
    row.is_default = True


def _follow_rename(session: Session, project: Project, old: str, new: str) -> None:
    """What names a configuration follows its rename: the judge setting and the jobs that
    can still run or be retried; refused while a running job uses the old name."""
    named = [
        job
        for job in session.scalars(select(Job).where(Job.project_id == project.id))
        if job.params.get("model") == old
    ]
    running = [job.id for job in named if job.status == "running"]
    if running:
        raise ConflictError(
            f"job {', '.join(map(str, running))} is running with {old!r}; rename it once the "
            "job has ended"
        )
    for job in named:
        job.params = {**job.params, "model": new}
    if project.quality.get("judge_model") == old:
        project.quality = {**project.quality, "judge_model": new}


def set_default(app: App, project_ref: str | int, name: str) -> ModelView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = _find(session, project.id, name)
        _make_default(session, project.id, row)
        session.flush()
        return _view(row, session.get(ModelSecret, row.id))


class ResolvedModel(BaseModel):
    """A configuration ready to open: its row id (None for the embedded default) and key."""

    model_config_id: int | None
    config: ModelConfig
    api_key: str | None


def resolve_model(app: App, project_ref: str | int, name: str | None = None) -> ResolvedModel:
    """The named configuration, else the project's default, else the embedded model."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        if name == EMBEDDED.name and not _exists(session, project.id, name):
            # The embedded model answers to its name where no configuration takes it.
            return ResolvedModel(model_config_id=None, config=EMBEDDED, api_key=None)
        if name is not None:
            row: ModelConfigRow | None = _find(session, project.id, name)
        else:
            row = session.scalar(
                select(ModelConfigRow).where(
                    ModelConfigRow.project_id == project.id, ModelConfigRow.is_default.is_(True)
                )
            )
        if row is None:
            return ResolvedModel(model_config_id=None, config=EMBEDDED, api_key=None)
        config, problem = _stored(row)
        if problem is not None:
            raise ConfigError(f"model configuration {row.name!r} cannot be used: {problem}")
        secret = session.get(ModelSecret, row.id)
        return ResolvedModel(
            model_config_id=row.id,
            config=config,
            api_key=secret.api_key if secret else None,
        )


class ScopedClient:
    """A client whose calls are attributed to its model configuration in the usage log
    (the runner already attributes them to the project and the job)."""

    def __init__(self, inner: ChatClient, model_config_id: int | None) -> None:
        self.inner = inner
        self.config: ModelConfig = inner.config
        self.model_config_id = model_config_id

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        with call_scope(model_config_id=self.model_config_id):
            return await self.inner.chat(
                messages,
                response_format=response_format,
                max_tokens=max_tokens,
                temperature=temperature,
            )

    async def stream_chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
    ) -> AsyncIterator[StreamEvent]:
        with call_scope(model_config_id=self.model_config_id):
            async for event in self.inner.stream_chat(
                messages, max_tokens=max_tokens, temperature=temperature, top_p=top_p
            ):
                yield event

    async def aclose(self) -> None:
        await self.inner.aclose()


def open_model(app: App, resolved: ResolvedModel, *, use_cache: bool = False) -> ChatClient:
    """A client whose every call lands in the usage log, attributed to its configuration
    (and, if asked, goes through the response cache)."""
    from easy_dataset.llm.factory import open_client
    from easy_dataset.llm.presets import resolve_api_key
    from easy_dataset.services.call_log import DatabaseCache

    client = open_client(
        resolved.config,
        resolve_api_key(resolved.config, resolved.api_key),
        recorder=app.usage_recorder,
        cache=DatabaseCache(app) if use_cache else None,
    )
    return ScopedClient(client, resolved.model_config_id)


def test_model(app: App, project_ref: str | int, name: str | None = None) -> ConnectionReport:
    """Send a tiny request to the configuration's endpoint and report what happened."""
    from easy_dataset.llm.catalog import test_connection
    from easy_dataset.llm.presets import resolve_api_key

    resolved = resolve_model(app, project_ref, name)
    project_id = _project_id(app, project_ref)
    if resolved.config.provider != "local":
        api_key = resolve_api_key(resolved.config, resolved.api_key)
        with call_scope(project_id=project_id, model_config_id=resolved.model_config_id):
            return asyncio.run(
                test_connection(resolved.config, api_key, recorder=app.usage_recorder)
            )

    async def probe() -> ConnectionReport:
        client = open_model(app, resolved)
        started = time.perf_counter()
        try:
            completion = await client.chat(
                [{"role": "user", "content": "Reply with the word OK."}], max_tokens=8
            )
        except ModelCallError as exc:
            return ConnectionReport(
                ok=False,
                latency_ms=int((time.perf_counter() - started) * 1000),
                models_listed=False,
                model_found=None,
                reply=None,
                error=str(exc),
            )
        finally:
            await client.aclose()
        return ConnectionReport(
            ok=True,
            latency_ms=completion.latency_ms,
            models_listed=False,
            model_found=True,
            reply=completion.text,
            error=None,
        )

    # open_model attributes the call to its configuration; the project is ours to add.
    with call_scope(project_id=project_id):
        return asyncio.run(probe())


def endpoint_models(app: App, project_ref: str | int, name: str | None = None) -> list[str]:
    """The model names the configuration's endpoint offers."""
    from easy_dataset.llm.catalog import list_models as list_remote
    from easy_dataset.llm.presets import resolve_api_key

    resolved = resolve_model(app, project_ref, name)
    if resolved.config.provider == "local":
        return [resolved.config.model]
    return asyncio.run(
        list_remote(resolved.config, resolve_api_key(resolved.config, resolved.api_key))
    )


def _project_id(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        return find_project(session, project_ref).id


def copy_model_configs(app: App, source_ref: str | int, target_ref: str | int) -> list[ModelView]:
    """Copy every model configuration of one project, keys included, into another.

    Keys are copied inside the database and never leave it. A name the target already uses
    is a conflict and nothing is copied; the source's default stays the default only when
    the target had no configuration before.
    """
    with app.db.session() as session:
        source = find_project(session, source_ref)
        target = find_project(session, target_ref)
        if source.id == target.id:
            raise InputError("a project cannot copy model configurations from itself")
        rows = session.execute(
            select(ModelConfigRow, ModelSecret)
            .outerjoin(ModelSecret, ModelSecret.model_config_id == ModelConfigRow.id)
            .where(ModelConfigRow.project_id == source.id)
            .order_by(ModelConfigRow.id)
        ).all()
        taken = set(
            session.scalars(
                select(ModelConfigRow.name).where(ModelConfigRow.project_id == target.id)
            )
        )
        clashes = sorted(taken & {row.name for row, _ in rows})
        if clashes:
            raise ConflictError(
                f"the target project already has model configuration(s) {', '.join(clashes)}; "
                "nothing was copied"
            )
        views: list[ModelView] = []
        for row, secret in rows:
            copy = ModelConfigRow(
                project_id=target.id,
                name=row.name,
                settings=dict(row.settings),
                is_default=row.is_default and not taken,
            )
            session.add(copy)
            session.flush()
            copied_secret = None
            if secret is not None:
                copied_secret = ModelSecret(model_config_id=copy.id, api_key=secret.api_key)
                session.add(copied_secret)
            views.append(_view(copy, copied_secret))
        return views

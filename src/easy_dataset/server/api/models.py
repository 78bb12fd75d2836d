"""Model configurations per project (keys accepted, never shown), edits, connection tests,
presets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from easy_dataset.llm.catalog import ConnectionReport
from easy_dataset.llm.presets import PRESETS, ModelsApi
from easy_dataset.llm.types import ModelConfig, Provider, StructuredMode
from easy_dataset.server.api.common import Limit, Offset, Page, ProjectRef, page_of
from easy_dataset.server.deps import Core
from easy_dataset.services import models
from easy_dataset.services.models import ModelView

router = APIRouter(tags=["models"])

# `:path` lets a configuration name hold a slash ("openrouter/llama").
NAMED = "/projects/{project}/models/{name:path}"
ConfigName = Annotated[str, Path(min_length=1, max_length=100, description="Configuration name.")]


class NewModel(ModelConfig):
    """A configuration, with its API key (stored apart, never shown again)."""

    api_key: SecretStr | None = Field(
        default=None, description="Stored apart from the configuration; never returned."
    )
    default: bool = Field(default=False, description="Make it the project's default.")


class ModelChanges(BaseModel):
    """The settings to change; those left out are kept, null clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    provider: Provider | None = None
    base_url: str | None = Field(default=None, max_length=2000)
    model: str | None = Field(default=None, min_length=1, max_length=500)
    api_key_env: str | None = Field(default=None, max_length=200)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    timeout: float | None = Field(default=None, gt=0, description="Seconds per request.")
    extra_headers: dict[str, str] | None = None
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    structured: StructuredMode | None = Field(
        default=None,
        description="auto, json_schema (constrained decoding: vLLM, llama.cpp, Ollama, "
        "OpenAI), json_object (JSON mode) or prompt (instructions only).",
    )
    max_retries: int | None = Field(default=None, ge=0)
    validation_retries: int | None = Field(default=None, ge=0)
    unreachable_after: int | None = Field(default=None, ge=1, le=10_000)
    continuations: int | None = Field(default=None, ge=0, le=10)
    api_key: SecretStr | None = Field(
        default=None, description="A new key (stored apart, never returned); left out: kept."
    )
    clear_key: bool = Field(default=False, description="Remove the stored key.")
    default: bool = Field(default=False, description="Make it the project's default.")


class PresetView(BaseModel):
    provider: Provider
    base_url: str | None
    api_key_env: str | None
    json_schema: bool
    models_api: ModelsApi


@router.get("/models/presets")
def list_presets(limit: Limit = 50, offset: Offset = 0) -> Page[PresetView]:
    """The providers there are presets for: endpoint, key variable, JSON schema support."""
    presets = [
        PresetView(
            provider=provider,
            base_url=preset.base_url,
            api_key_env=preset.api_key_env,
            json_schema=preset.json_schema,
            models_api=preset.models_api,
        )
        for provider, preset in PRESETS.items()
    ]
    return page_of(presets, limit, offset)


@router.get("/projects/{project}/models")
def list_models(
    project: ProjectRef, core: Core, limit: Limit = 50, offset: Offset = 0
) -> Page[ModelView]:
    """The project's configurations; keys appear only as a hint of their last characters."""
    return page_of(models.list_models(core, project), limit, offset)


@router.post("/projects/{project}/models", status_code=201)
def add_model(project: ProjectRef, body: NewModel, core: Core) -> ModelView:
    """Add a configuration (the first one becomes the default)."""
    config = ModelConfig.model_validate(body.model_dump(exclude={"api_key", "default"}))
    key = body.api_key.get_secret_value() if body.api_key is not None else None
    return models.add_model(core, project, config, api_key=key, make_default=body.default)


@router.patch(NAMED)
def edit_model(project: ProjectRef, name: ConfigName, body: ModelChanges, core: Core) -> ModelView:
    """Change some settings of a configuration; the others and the stored key are kept."""
    changes = body.model_dump(exclude_unset=True, exclude={"api_key", "clear_key", "default"})
    key = body.api_key.get_secret_value() if body.api_key is not None else None
    return models.update_model(
        core,
        project,
        name,
        changes,
        api_key=key,
        clear_key=body.clear_key,
        make_default=body.default,
    )


@router.post(NAMED + "/test")
def test_model(project: ProjectRef, name: ConfigName, core: Core) -> ConnectionReport:
    """Send a tiny request to the endpoint and report whether endpoint, key and model work."""
    return models.test_model(core, project, name)


@router.get(NAMED + "/available")
def available_models(
    project: ProjectRef, name: ConfigName, core: Core, limit: Limit = 50, offset: Offset = 0
) -> Page[str]:
    """The model names the configuration's endpoint offers."""
    return page_of(models.endpoint_models(core, project, name), limit, offset)


@router.post(NAMED + "/default")
def set_default(project: ProjectRef, name: ConfigName, core: Core) -> ModelView:
    return models.set_default(core, project, name)


@router.delete(NAMED)
def remove_model(project: ProjectRef, name: ConfigName, core: Core) -> ModelView:
    """Remove a configuration and its stored key."""
    return models.remove_model(core, project, name)

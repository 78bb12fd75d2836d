"""What each provider needs: its endpoint, where its key lives, what it supports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from easy_dataset.errors import ConfigError
from easy_dataset.llm.types import ModelConfig, Provider

ModelsApi = Literal["openai", "ollama", "none"]


@dataclass(frozen=True)
class Preset:
    """Defaults for one provider; a model config's own settings override them."""

    base_url: str | None
    api_key_env: str | None
    json_schema: bool  # accepts response_format={"type": "json_schema", ...}
    models_api: ModelsApi  # how to list models: GET /models, Ollama's /api/tags, or not at all


PRESETS: dict[Provider, Preset] = {
    "local": Preset(None, None, json_schema=True, models_api="none"),
    "openai": Preset("https://api.openai.com/v1", "OPENAI_API_KEY", True, "openai"),
    "ollama": Preset("http://127.0.0.1:11434/v1", None, True, "ollama"),
    "vllm": Preset("http://127.0.0.1:8000/v1", None, True, "openai"),
    "deepseek": Preset("https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", False, "openai"),
    "openrouter": Preset("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", True, "openai"),
    "siliconflow": Preset("https://api.siliconflow.cn/v1", "SILICONFLOW_API_KEY", False, "openai"),
    # Zhipu documents no model-list endpoint.
    "zhipu": Preset("https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", False, "none"),
    "dashscope": Preset(
        "https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY", False, "openai"
    ),
    "moonshot": Preset("https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", False, "openai"),
    "groq": Preset("https://api.groq.com/openai/v1", "GROQ_API_KEY", False, "openai"),
    # Unknown servers: try GET /models (most OpenAI-compatible servers have it) and
    # ask for JSON in the prompt, which every model understands.
    "custom": Preset(None, None, json_schema=False, models_api="openai"),
}


def resolve_base_url(config: ModelConfig) -> str:
    """The endpoint's base URL without a trailing slash: the config's, else the preset's."""
    url = config.base_url or PRESETS[config.provider].base_url
    if not url:
        raise ConfigError(
            f"model {config.name!r} (provider {config.provider!r}) has no base URL; "
            "set one, e.g. http://127.0.0.1:8000/v1",
            subject="no_base_url",
        )
    return url.rstrip("/")


def resolve_api_key(config: ModelConfig, stored_key: str | None = None) -> str | None:
    """The key to send: the stored one, else $api_key_env, else the preset's variable."""
    if stored_key:
        return stored_key
    for name in (config.api_key_env, PRESETS[config.provider].api_key_env):
        value = os.environ.get(name) if name else None
        if value:
            return value
    return None

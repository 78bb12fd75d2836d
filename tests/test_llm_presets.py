"""Provider presets, base URLs and API keys."""

from __future__ import annotations

import typing

import pytest

from easy_dataset.errors import ConfigError
from easy_dataset.llm.presets import PRESETS, resolve_api_key, resolve_base_url
from easy_dataset.llm.types import ModelConfig, Provider


def test_every_provider_has_a_preset() -> None:
    assert set(PRESETS) == set(typing.get_args(Provider))


def test_known_endpoints() -> None:
    assert PRESETS["openai"].base_url == "https://api.openai.com/v1"
    assert PRESETS["zhipu"].base_url == "https://open.bigmodel.cn/api/paas/v4"
    assert PRESETS["groq"].api_key_env == "GROQ_API_KEY"
    assert PRESETS["ollama"].models_api == "ollama" and PRESETS["ollama"].api_key_env is None
    supports = {name for name, preset in PRESETS.items() if preset.json_schema}
    assert supports == {"openai", "vllm", "ollama", "local", "openrouter"}


def test_base_url_comes_from_the_config_or_the_preset() -> None:
    assert resolve_base_url(ModelConfig(name="a", provider="deepseek", model="m")) == (
        "https://api.deepseek.com/v1"
    )
    custom = ModelConfig(name="b", provider="vllm", base_url="http://gpu:8000/v1/", model="m")
    assert resolve_base_url(custom) == "http://gpu:8000/v1"
    with pytest.raises(ConfigError, match="has no base URL; set one") as caught:
        resolve_base_url(ModelConfig(name="c", provider="custom", model="m"))
    assert caught.value.subject == "no_base_url"


def test_api_key_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    config = ModelConfig(name="a", provider="openai", model="m", api_key_env="TEAM_API_KEY")
    monkeypatch.delenv("TEAM_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert resolve_api_key(config, None) is None
    monkeypatch.setenv("OPENAI_API_KEY", "from-preset")
    assert resolve_api_key(config, None) == "from-preset"
    monkeypatch.setenv("TEAM_API_KEY", "from-config")
    assert resolve_api_key(config, None) == "from-config"
    assert resolve_api_key(config, "stored") == "stored"
    monkeypatch.setenv("TEAM_API_KEY", "")
    assert resolve_api_key(config, "") == "from-preset"

"""open_client picks the client for the provider."""

from __future__ import annotations

import asyncio

from easy_dataset.llm.factory import open_client
from easy_dataset.llm.limits import limiter_for
from easy_dataset.llm.local import LocalChatClient
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ModelConfig


def test_local_provider_gets_the_embedded_model() -> None:
    client = open_client(ModelConfig(name="l", provider="local", model="SmolLM2"))
    assert isinstance(client, LocalChatClient)


def test_endpoints_get_the_openai_client_with_the_shared_limiter() -> None:
    config = ModelConfig(name="v", provider="vllm", model="factory-model", concurrency=9)
    client = open_client(config, "sk-x")
    assert isinstance(client, OpenAIChatClient)
    assert client._limiter is limiter_for(config)
    assert client.config is config
    asyncio.run(client.aclose())

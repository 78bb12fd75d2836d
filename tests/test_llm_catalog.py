"""Listing an endpoint's models and testing a configuration against the fake server."""

from __future__ import annotations

import asyncio
import socket

import pytest

from easy_dataset.errors import ModelCallError
from easy_dataset.llm import catalog
from easy_dataset.llm.types import CallRecord, ModelConfig, Provider
from tests.fake_openai import FakeOpenAI


def config_for(
    fake: FakeOpenAI, provider: Provider = "custom", model: str = "fake-model"
) -> ModelConfig:
    return ModelConfig(
        name="fake", provider=provider, base_url=fake.base_url, model=model, max_retries=0
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_lists_models_openai_style(fake: FakeOpenAI) -> None:
    names = asyncio.run(catalog.list_models(config_for(fake), None))
    assert names == ["fake-model", "fake-model-mini"]
    assert fake.stats().log[0]["path"] == "/v1/models"


def test_lists_models_ollama_style(fake: FakeOpenAI) -> None:
    fake.set_faults(models=["llama3:latest", "qwen2.5:7b"])
    names = asyncio.run(catalog.list_models(config_for(fake, "ollama"), None))
    assert names == ["llama3:latest", "qwen2.5:7b"]
    assert fake.stats().log[0]["path"] == "/api/tags"


def test_listing_sends_the_key_and_reports_auth_failures(fake: FakeOpenAI) -> None:
    fake.set_faults(status_for_auth=401, api_key="sk-right")
    assert asyncio.run(catalog.list_models(config_for(fake), "sk-right"))
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(catalog.list_models(config_for(fake), "sk-wrong"))
    assert caught.value.kind == "auth"


def test_provider_without_a_list_says_so() -> None:
    config = ModelConfig(name="z", provider="zhipu", model="glm-4")
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(catalog.list_models(config, None))
    assert caught.value.kind == "not_found"


def test_unreachable_ollama_is_a_connection_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    config = ModelConfig(name="o", provider="ollama", base_url=url, model="llama3")
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(catalog.list_models(config, None))
    assert caught.value.kind == "connection"


def test_connection_ok(fake: FakeOpenAI) -> None:
    records: list[CallRecord] = []

    def record(record: CallRecord) -> None:
        records.append(record)

    report = asyncio.run(catalog.test_connection(config_for(fake), None, recorder=record))
    assert report.ok and report.error is None and report.error_kind is None
    assert report.models_listed and report.model_found is True
    assert report.reply and report.latency_ms >= 0
    chat = fake.stats().bodies()[0]
    assert chat["max_tokens"] == 8
    assert chat["messages"] == [{"role": "user", "content": "Reply with the word OK."}]
    assert [r.status for r in records] == ["ok"]


def test_connection_with_an_unknown_model(fake: FakeOpenAI) -> None:
    report = asyncio.run(catalog.test_connection(config_for(fake, model="gpt-9"), None))
    assert report.ok and report.models_listed and report.model_found is False


def test_connection_to_ollama_accepts_the_latest_tag(fake: FakeOpenAI) -> None:
    fake.set_faults(models=["llama3:latest"])
    report = asyncio.run(catalog.test_connection(config_for(fake, "ollama", "llama3"), None))
    assert report.ok and report.model_found is True


def test_connection_without_a_model_list(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["ok"])
    report = asyncio.run(catalog.test_connection(config_for(fake, "zhipu"), None))
    assert report.ok and not report.models_listed and report.model_found is None


def test_connection_failing_fast_on_a_wrong_port() -> None:
    config = ModelConfig(
        name="gone",
        provider="vllm",
        base_url=f"http://127.0.0.1:{free_port()}/v1",
        model="m",
        max_retries=0,
    )
    report = asyncio.run(catalog.test_connection(config, None))
    assert not report.ok and not report.models_listed and report.model_found is None
    assert report.error_kind == "connection"
    assert report.error and "could not reach" in report.error


def test_connection_with_a_refused_key(fake: FakeOpenAI) -> None:
    fake.set_faults(status_for_auth=403)
    report = asyncio.run(catalog.test_connection(config_for(fake), "sk-wrong"))
    assert not report.ok and report.error_kind == "auth"
    assert report.error and "refused the API key" in report.error

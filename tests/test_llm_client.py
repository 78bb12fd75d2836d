"""OpenAIChatClient against the fake server over real HTTP: parameters, retries, errors,
reasoning, usage, records and the cache."""

from __future__ import annotations

import asyncio
import random
import socket
from typing import Any

import pytest

from easy_dataset.errors import ModelCallError
from easy_dataset.llm import transport
from easy_dataset.llm.breaker import reset_all
from easy_dataset.llm.cache import MemoryCache
from easy_dataset.llm.context import call_scope
from easy_dataset.llm.openai_client import OpenAIChatClient, parse_completion
from easy_dataset.llm.types import CallRecord, Completion, Message, ModelConfig
from tests.fake_openai import REASONING_TEXT, FakeOpenAI, Faults

ASK: list[Message] = [{"role": "user", "content": "Answer briefly: what do bees make?"}]


class Harness:
    """A client on the fake server that records the sleeps it asks for and its call records."""

    def __init__(self, fake: FakeOpenAI, api_key: str | None = None, **settings: Any) -> None:
        settings.setdefault("max_retries", 3)
        self.config = ModelConfig(
            name="fake", provider="custom", base_url=fake.base_url, model="fake-model", **settings
        )
        self.sleeps: list[float] = []
        self.records: list[CallRecord] = []
        self.api_key = api_key
        self.cache: MemoryCache | None = None

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def _record(self, record: CallRecord) -> None:
        self.records.append(record)

    def client(self) -> OpenAIChatClient:
        return OpenAIChatClient(
            self.config,
            self.api_key,
            recorder=self._record,
            cache=self.cache,
            sleep=self._sleep,
            rng=random.Random(1),
        )

    def chat(self, messages: list[Message] = ASK, **kwargs: Any) -> Completion:
        async def run() -> Completion:
            client = self.client()
            try:
                return await client.chat(messages, **kwargs)
            finally:
                await client.aclose()

        return asyncio.run(run())

    def fail(self, **kwargs: Any) -> ModelCallError:
        with pytest.raises(ModelCallError) as caught:
            self.chat(**kwargs)
        return caught.value


def test_sends_only_what_is_configured(fake: FakeOpenAI) -> None:
    completion = Harness(fake).chat()
    body = fake.stats().bodies()[0]
    assert body == {"model": "fake-model", "messages": ASK}
    assert "bees" in completion.text
    assert completion.model == "fake-model"


def test_sends_configured_sampling_and_headers(fake: FakeOpenAI) -> None:
    harness = Harness(
        fake, temperature=0.3, top_p=0.9, max_tokens=100, extra_headers={"X-Team": "data"}
    )
    harness.chat()
    harness.chat(max_tokens=7, temperature=0.0, response_format={"type": "json_object"})
    first, second = fake.stats().bodies()
    assert {k: first[k] for k in ("temperature", "top_p", "max_tokens")} == {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 100,
    }
    assert "response_format" not in first
    assert (second["temperature"], second["max_tokens"]) == (0.0, 7)
    assert second["response_format"] == {"type": "json_object"}
    headers = fake.stats().log[0]["headers"]
    assert headers["x-team"] == "data"
    assert headers["authorization"] == "Bearer unused"


def test_sends_the_api_key(fake: FakeOpenAI) -> None:
    fake.set_faults(status_for_auth=401, api_key="sk-right")
    assert Harness(fake, api_key="sk-right").chat().text


def test_auth_failure_is_not_retried_and_says_what_to_do(fake: FakeOpenAI) -> None:
    fake.set_faults(status_for_auth=401, api_key="sk-right")
    harness = Harness(fake, api_key="sk-wrong", api_key_env="TEAM_API_KEY")
    error = harness.fail()
    assert (error.kind, error.status) == ("auth", 401)
    assert "api_key_env, e.g. TEAM_API_KEY" in str(error)
    assert "sk-wrong" not in str(error)
    assert fake.stats().total == 1
    assert harness.sleeps == []


@pytest.mark.parametrize(
    ("status", "kind"), [("403", "auth"), ("404", "not_found"), ("400", "http"), ("422", "http")]
)
def test_client_errors_fail_at_once(fake: FakeOpenAI, status: str, kind: str) -> None:
    fake.set_faults(script=[status])
    error = Harness(fake).fail()
    assert (error.kind, error.status, error.retryable) == (kind, int(status), False)
    assert fake.stats().total == 1


def test_retry_after_is_honoured(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["429", "429", "ok"], retry_after="2.5")
    harness = Harness(fake)
    assert harness.chat().text
    assert harness.sleeps == [2.5, 2.5]
    assert fake.stats().by_outcome == {"429": 2, "ok": 1}


def test_server_errors_are_retried_with_jittered_backoff(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["500", "503", "502", "ok"])
    harness = Harness(fake)
    assert harness.chat().text
    assert len(harness.sleeps) == 3
    for retry, delay in enumerate(harness.sleeps):
        assert 0 <= delay <= 0.5 * 2**retry


def test_exhausted_retries_keep_the_last_kind_and_status(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["429", "503", "503"])
    error = Harness(fake, max_retries=2).fail()
    assert (error.kind, error.status, error.retryable) == ("http", 503, True)
    assert "3 attempts" in str(error)
    fake.reset()
    fake.set_faults(script=["429", "429"], retry_after=None)
    error = Harness(fake, max_retries=1).fail()
    assert (error.kind, error.status) == ("rate_limit", 429)
    assert fake.stats().total == 2


def test_no_retries_when_max_retries_is_zero(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["500", "ok"])
    error = Harness(fake, max_retries=0).fail()
    assert (error.kind, error.status) == ("http", 500)
    assert fake.stats().total == 1


def test_timeouts_are_retried_then_reported(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["hang", "ok", "hang", "hang"], hang_seconds=5)
    harness = Harness(fake, timeout=0.3, max_retries=1)
    assert harness.chat().text
    error = harness.fail()
    assert error.kind == "timeout"
    assert [r.error_kind for r in harness.records] == ["timeout", None, "timeout", "timeout"]


def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    config = ModelConfig(
        name="gone", provider="vllm", base_url=f"http://127.0.0.1:{port}/v1", model="m"
    )
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> None:
        client = OpenAIChatClient(config.model_copy(update={"max_retries": 2}), None, sleep=sleep)
        try:
            await client.chat(ASK)
        finally:
            await client.aclose()

    with pytest.raises(ModelCallError) as caught:
        asyncio.run(run())
    # Every attempt unanswered and nobody else answered: the endpoint is down, not the call.
    assert caught.value.kind == "unreachable"
    assert f"127.0.0.1:{port}" in str(caught.value) and "could not reach" in str(caught.value)
    assert len(sleeps) == 2 and max(sleeps) <= 0.5  # refused at once: short waits
    reset_all()


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_from_a_message_field(fake: FakeOpenAI, field: Any) -> None:
    fake.set_faults(reasoning_field=field)
    completion = Harness(fake).chat()
    assert completion.reasoning == REASONING_TEXT
    assert "bees" in completion.text


def test_reasoning_from_think_tags(fake: FakeOpenAI) -> None:
    fake.set_faults(think_tags=True)
    completion = Harness(fake).chat()
    assert completion.reasoning == REASONING_TEXT
    assert "<think>" not in completion.text and completion.text.startswith("Worker bees")
    assert completion.raw.startswith("<think>")


def test_usage_is_reported_or_estimated(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["ok", "no_usage"])
    harness = Harness(fake)
    reported = harness.chat()
    estimated = harness.chat()
    assert not reported.usage_estimated and reported.prompt_tokens > 0
    assert estimated.usage_estimated
    assert estimated.prompt_tokens > 0 and estimated.completion_tokens > 0
    assert [r.usage_estimated for r in harness.records] == [False, True]


def test_one_record_per_attempt_with_the_scope(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["503", "429", "ok"], retry_after="0")
    harness = Harness(fake)
    with call_scope(project_id=1, job_id=2):
        completion = harness.chat()
    records = harness.records
    assert [(r.status, r.error_kind) for r in records] == [
        ("error", "http"),
        ("error", "rate_limit"),
        ("ok", None),
    ]
    assert all((r.project_id, r.job_id, r.model_config_id) == (1, 2, None) for r in records)
    assert all(r.endpoint == fake.base_url and r.model == "fake-model" for r in records)
    assert records[0].error and "503" in records[0].error
    assert records[-1].prompt_tokens == completion.prompt_tokens
    assert records[-1].completion_tokens == completion.completion_tokens
    assert not any(r.cached for r in records)


def test_cache_hit_makes_no_request(fake: FakeOpenAI) -> None:
    harness = Harness(fake)
    harness.cache = MemoryCache()
    first = harness.chat(temperature=0.0)
    second = harness.chat(temperature=0.0)
    assert fake.stats().total == 1
    assert second.cached and not first.cached
    assert (second.text, second.prompt_tokens) == (first.text, first.prompt_tokens)
    assert [r.cached for r in harness.records] == [False, True]
    harness.chat(temperature=0.5)  # other parameters: another key
    assert fake.stats().total == 2


def test_failures_are_not_cached(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["400"])
    harness = Harness(fake)
    harness.cache = MemoryCache()
    harness.fail()
    assert harness.chat().text
    assert fake.stats().total == 2


@pytest.mark.parametrize(
    "body", [b"<html>proxy login</html>", b'{"object": "list", "data": []}', b'{"choices": []}']
)
def test_a_reply_that_is_not_a_completion_is_an_http_error(body: bytes) -> None:
    with pytest.raises(ModelCallError) as caught:
        parse_completion(body, ASK, latency_ms=5)
    assert (caught.value.kind, caught.value.status) == ("http", 200)


def test_content_parts_are_joined() -> None:
    body = (
        b'{"choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"text": "b"}]}}]}'
    )
    completion = parse_completion(body, ASK, latency_ms=5)
    assert completion.text == "ab" and completion.usage_estimated


def test_concurrent_calls_on_one_client(fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(latency=0.01))
    harness = Harness(fake)

    async def run() -> list[Completion]:
        client = harness.client()
        try:
            return await asyncio.gather(*(client.chat(ASK) for _ in range(40)))
        finally:
            await client.aclose()

    assert len(asyncio.run(run())) == 40
    assert fake.stats().by_outcome == {"ok": 40}


def test_the_default_httpx_stack_works_too(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "_plain_http_without_proxy", lambda url: False)
    fake.set_faults(script=["500", "hang", "ok"], hang_seconds=5)
    harness = Harness(fake, timeout=0.3)
    assert harness.chat().text
    assert [r.error_kind for r in harness.records] == ["http", "timeout", None]


def test_lean_transport_only_for_plain_http_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    lean = transport._plain_http_without_proxy
    assert lean("http://127.0.0.1:8000/v1")
    assert not lean("https://api.openai.com/v1")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert not lean("http://10.0.0.5:8000/v1")
    monkeypatch.setenv("NO_PROXY", "10.0.0.5")
    assert lean("http://10.0.0.5:8000/v1")

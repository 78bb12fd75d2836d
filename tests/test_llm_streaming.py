"""stream_chat: the OpenAI-compatible client against the fake server's streamed replies, and
the embedded model streaming a short reply."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.local import DEFAULT_LOCAL_CONFIG, LocalChatClient
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import (
    CallRecord,
    ChatClient,
    Message,
    ModelConfig,
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    TextDelta,
)
from tests.fake_openai import REASONING_TEXT, FakeOpenAI, Faults

ASK: list[Message] = [{"role": "user", "content": "Answer briefly: what do bees make?"}]
ANSWER = (
    "Worker bees gather nectar and pollen, build comb and care for the brood; the colony "
    "stores honey to live through the winter."
)


def stream(client: ChatClient, messages: list[Message] = ASK, **params: Any) -> list[StreamEvent]:
    async def run() -> list[StreamEvent]:
        try:
            return [event async for event in client.stream_chat(messages, **params)]
        finally:
            await client.aclose()

    return asyncio.run(run())


def client_for(
    fake: FakeOpenAI, records: list[CallRecord] | None = None, **settings: Any
) -> OpenAIChatClient:
    config = ModelConfig(
        name="fake", provider="custom", base_url=fake.base_url, model="fake-model", **settings
    )

    async def no_wait(_: float) -> None:
        return None

    recorder = records.append if records is not None else None
    return OpenAIChatClient(
        config, "sk-fake", recorder=recorder, sleep=no_wait, rng=random.Random(1)
    )


def test_deltas_join_to_the_whole_reply_with_reported_usage(fake: FakeOpenAI) -> None:
    records: list[CallRecord] = []
    events = stream(client_for(fake, records), temperature=0.3, top_p=0.9, max_tokens=50)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1  # it came in pieces
    assert "".join(deltas) == ANSWER
    end = events[-1]
    assert isinstance(end, StreamEnd) and sum(isinstance(e, StreamEnd) for e in events) == 1
    assert end.completion.text == ANSWER
    assert end.completion.usage_estimated is False
    assert end.completion.completion_tokens == len(ANSWER) // 4  # the fake's own count
    assert end.completion.finish_reason == "stop"
    assert end.first_token_ms is not None and end.first_token_ms <= end.completion.latency_ms
    [body] = fake.stats().bodies()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.3, 0.9, 50)
    [record] = records
    assert (record.status, record.completion_tokens) == ("ok", len(ANSWER) // 4)
    assert record.latency_ms == end.completion.latency_ms


def test_missing_usage_is_estimated(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["no_usage"])
    end = stream(client_for(fake))[-1]
    assert isinstance(end, StreamEnd)
    assert end.completion.usage_estimated is True
    assert end.completion.completion_tokens == -(-len(ANSWER) // 4)  # our estimate
    assert end.completion.prompt_tokens > 0


def test_reasoning_streams_apart_from_the_answer(fake: FakeOpenAI) -> None:
    fake.set_faults(reasoning_field="reasoning_content")
    events = stream(client_for(fake))
    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == [REASONING_TEXT]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == ANSWER
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert (end.completion.text, end.completion.reasoning) == (ANSWER, REASONING_TEXT)


def test_think_tags_are_split_off_in_the_end(fake: FakeOpenAI) -> None:
    fake.set_faults(think_tags=True)
    end = stream(client_for(fake))[-1]
    assert isinstance(end, StreamEnd)
    assert (end.completion.text, end.completion.reasoning) == (ANSWER, REASONING_TEXT)


def test_a_failure_before_the_stream_is_retried(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["500", "ok"])
    records: list[CallRecord] = []
    events = stream(client_for(fake, records, max_retries=2))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == ANSWER
    assert [(r.status, r.error_kind) for r in records] == [("error", "http"), ("ok", None)]


@pytest.mark.parametrize(("status", "kind"), [("500", "http"), ("429", "rate_limit")])
def test_a_failure_before_the_stream_is_the_usual_error(
    fake: FakeOpenAI, status: str, kind: str
) -> None:
    fake.set_faults(script=[status])
    with pytest.raises(ModelCallError) as caught:
        stream(client_for(fake, max_retries=0))
    assert caught.value.kind == kind
    assert caught.value.status == int(status)


def test_a_stopped_reader_stops_the_call_and_it_is_logged_cancelled() -> None:
    with FakeOpenAI(Faults(stream_delay=0.05)) as fake:
        records: list[CallRecord] = []
        client = client_for(fake, records)

        async def first_piece() -> str:
            try:
                async for event in client.stream_chat(ASK):
                    if isinstance(event, TextDelta):
                        return event.text
                raise AssertionError("no text came")
            finally:
                await client.aclose()

        assert ANSWER.startswith(asyncio.run(first_piece()))
    assert [(r.status, r.error_kind) for r in records] == [("error", "cancelled")]


@pytest.mark.embedded
def test_the_embedded_model_streams_a_short_reply() -> None:
    records: list[CallRecord] = []
    client = LocalChatClient(DEFAULT_LOCAL_CONFIG, recorder=records.append)
    events = stream(client, [{"role": "user", "content": "Say hello."}], max_tokens=8)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert len(deltas) > 1 and "".join(deltas) == end.completion.raw
    assert 0 < end.completion.completion_tokens <= 8
    assert end.completion.usage_estimated is False
    assert end.completion.model == DEFAULT_LOCAL_CONFIG.model
    assert end.first_token_ms is not None
    [record] = records
    assert (record.status, record.completion_tokens) == ("ok", end.completion.completion_tokens)

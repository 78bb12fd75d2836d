"""Free-text replies cut off at the token limit are continued, never kept as if whole."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from easy_dataset.errors import ModelCallError
from easy_dataset.generate.answers import draft_answer
from easy_dataset.llm.continuation import CONTINUE_PROMPT, chat_text
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import Completion, Message, ModelConfig
from tests.fake_openai import FakeOpenAI

ASK: list[Message] = [{"role": "user", "content": "Tell me about bees."}]


class Parts:
    """A ChatClient replying with canned (text, finish reason) parts."""

    def __init__(self, *parts: tuple[str, str], continuations: int = 2) -> None:
        self.config = ModelConfig(name="p", model="m", continuations=continuations)
        self.parts = list(parts)
        self.seen: list[list[Message]] = []

    async def chat(self, messages: list[Message], **_: Any) -> Completion:
        self.seen.append(messages)
        text, finish = self.parts.pop(0)
        return Completion(text, None, 10, len(text), False, finish, "m", 5, raw=text)

    async def aclose(self) -> None:
        pass


def test_a_cut_off_reply_is_continued_and_joined() -> None:
    client = Parts(("Bees make ho", "length"), ("ney in ", "length"), ("hives.", "stop"))
    whole = asyncio.run(chat_text(client, ASK))
    assert whole.text == whole.raw == "Bees make honey in hives."
    assert whole.finish_reason == "stop"
    assert whole.prompt_tokens == 30 and whole.latency_ms == 15
    second = client.seen[1]
    assert second[:1] == ASK
    assert second[1] == {"role": "assistant", "content": "Bees make ho"}
    assert second[2] == {"role": "user", "content": CONTINUE_PROMPT}
    assert client.seen[2][1]["content"] == "Bees make honey in "


def test_still_cut_off_after_the_continuations_fails_with_the_raw_text() -> None:
    client = Parts(("a", "length"), ("b", "length"), continuations=1)
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(chat_text(client, ASK))
    assert caught.value.kind == "truncated" and caught.value.raw_output == "ab"
    assert "max_tokens" in str(caught.value)


def test_a_truncated_answer_from_the_endpoint_is_completed(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["truncated", "ok"])
    config = ModelConfig(
        name="f", provider="custom", base_url=fake.base_url, model="fake-model", max_retries=0
    )

    async def go() -> str:
        client = OpenAIChatClient(config, None)
        try:
            result = await draft_answer(
                client, question="What do bees do?", chunk="Bees make honey.", language="en"
            )
            return result.answer
        finally:
            await client.aclose()

    answer = asyncio.run(go())
    bodies = fake.stats().bodies()
    assert len(bodies) == 2 and bodies[1]["messages"][-1]["content"] == CONTINUE_PROMPT
    half = bodies[1]["messages"][-2]["content"]
    assert answer.startswith(half) and len(answer) > len(half)

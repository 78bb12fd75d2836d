"""chat_structured: how JSON is asked for per mode, tolerant parsing, retries on bad replies."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel, Field

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.structured import (
    ReplyError,
    Structured,
    chat_structured,
    extract_json,
    resolve_mode,
)
from easy_dataset.llm.types import Completion, Message, ModelConfig, Provider, StructuredMode
from tests.fake_openai import MALFORMED_TEXT, FakeOpenAI

ASK: list[Message] = [
    {"role": "system", "content": "You rate answers."},
    {"role": "user", "content": "Rate this answer: bees make honey."},
]


class Rating(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


class Questions(BaseModel):
    questions: list[str] = Field(min_length=1)


def config_for(
    fake: FakeOpenAI, provider: Provider = "custom", structured: StructuredMode = "auto"
) -> ModelConfig:
    return ModelConfig(
        name="fake",
        provider=provider,
        base_url=fake.base_url,
        model="fake-model",
        structured=structured,
        max_retries=0,
    )


def run(config: ModelConfig, schema: Any, retries: int | None = None) -> Structured[Any]:
    async def go() -> Structured[Any]:
        client = OpenAIChatClient(config, None)
        try:
            return await chat_structured(client, ASK, schema, retries=retries)
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("provider", "mode"),
    [
        ("openai", "json_schema"),
        ("vllm", "json_schema"),
        ("ollama", "json_schema"),
        ("local", "json_schema"),
        ("openrouter", "json_schema"),
        ("deepseek", "prompt"),
        ("groq", "prompt"),
        ("custom", "prompt"),
    ],
)
def test_auto_mode_follows_the_provider(provider: Provider, mode: str) -> None:
    config = ModelConfig(name="x", provider=provider, model="m")
    assert resolve_mode(config) == mode
    assert resolve_mode(config.model_copy(update={"structured": "json_object"})) == "json_object"


def test_json_schema_mode_sends_the_schema(fake: FakeOpenAI) -> None:
    result = run(config_for(fake, "openai"), Rating)
    assert isinstance(result.value, Rating) and result.attempts == 1
    body = fake.stats().bodies()[0]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Rating", "schema": Rating.model_json_schema(), "strict": False},
    }
    assert body["messages"] == ASK  # nothing added to the prompt


def test_prompt_mode_puts_the_schema_in_the_messages(fake: FakeOpenAI) -> None:
    result = run(config_for(fake, "deepseek"), Questions)
    assert result.value.questions
    body = fake.stats().bodies()[0]
    assert "response_format" not in body
    assert body["messages"][0] == ASK[0]
    last = body["messages"][-1]["content"]
    assert last.startswith(ASK[1]["content"])
    assert "JSON only" in last and json.dumps(Questions.model_json_schema()) in last


def test_json_object_mode_asks_for_an_object_and_explains_the_schema(fake: FakeOpenAI) -> None:
    result = run(config_for(fake, structured="json_object"), Rating)
    assert result.value.score == 4
    body = fake.stats().bodies()[0]
    assert body["response_format"] == {"type": "json_object"}
    assert '"score"' in body["messages"][-1]["content"]


def test_lists_and_other_types_work(fake: FakeOpenAI) -> None:
    result = run(config_for(fake, "openai"), list[Rating])
    assert result.value and all(isinstance(r, Rating) for r in result.value)
    assert fake.stats().bodies()[0]["response_format"]["json_schema"]["name"] == "list"


def test_malformed_reply_is_retried_with_the_error(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["malformed", "ok"])
    result = run(config_for(fake, "openai"), Rating)
    assert result.attempts == 2 and result.value.score >= 1
    second = fake.stats().bodies()[1]["messages"]
    assert second[: len(ASK)] == ASK
    assert second[-2] == {"role": "assistant", "content": MALFORMED_TEXT}
    assert second[-1]["role"] == "user"
    assert second[-1]["content"].startswith("Your reply was not valid: the reply holds no JSON")
    assert second[-1]["content"].endswith("Reply again with JSON only, matching the schema.")


def test_truncated_reply_is_asked_again_never_repaired(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["truncated", "ok"])
    result = run(config_for(fake, "openai"), Questions)
    assert result.attempts == 2  # the half reply was not taken, however repairable
    assert len(result.value.questions) == 3  # the whole list of the second reply
    second = fake.stats().bodies()[1]["messages"]
    assert second[-1]["content"].startswith("Your reply was cut off before its JSON ended")


def test_a_reply_still_cut_off_fails_with_its_raw_text(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["truncated"] * 3)
    with pytest.raises(ModelCallError) as caught:
        run(config_for(fake, "openai"), Questions, retries=2)
    assert caught.value.kind == "truncated"
    assert caught.value.raw_output and caught.value.raw_output.startswith('{"questions"')
    assert not caught.value.raw_output.rstrip().endswith("}")


def test_finish_reason_length_without_json_is_truncated_not_parse() -> None:
    class CutOff(Scripted):
        async def chat(self, messages: list[Message], **_: Any) -> Completion:
            self.seen.append(messages)
            text = self.replies.pop(0)
            return Completion(text, None, 1, 1, False, "length", "m", 1, raw=text)

    client = CutOff("Let me think about the rating of", '{"score": 4, "reason": "ok"}')
    result = asyncio.run(chat_structured(client, ASK, Rating))
    assert result.value.score == 4
    assert client.seen[1][-1]["content"].startswith("Your reply was cut off")


def test_final_failure_raises_with_the_raw_output(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["malformed"] * 3)
    with pytest.raises(ModelCallError) as caught:
        run(config_for(fake, "openai"), Rating, retries=2)
    assert caught.value.kind == "parse"
    assert caught.value.raw_output == MALFORMED_TEXT
    assert "3 attempts" in str(caught.value)
    assert fake.stats().total == 3


def test_retries_default_to_the_config(fake: FakeOpenAI) -> None:
    fake.set_faults(script=["malformed"] * 5)
    config = config_for(fake, "openai").model_copy(update={"validation_retries": 1})
    with pytest.raises(ModelCallError):
        run(config, Rating)
    assert fake.stats().total == 2


def test_think_tags_do_not_break_parsing(fake: FakeOpenAI) -> None:
    fake.set_faults(think_tags=True)
    result = run(config_for(fake, "openai"), Rating)
    assert result.completion.reasoning and result.value.reason


class Scripted:
    """A ChatClient that replies with canned texts, for parser and validation paths."""

    def __init__(self, *replies: str, structured: StructuredMode = "prompt") -> None:
        self.config = ModelConfig(name="s", model="m", structured=structured)
        self.replies = list(replies)
        self.seen: list[list[Message]] = []

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        self.seen.append(messages)
        text = self.replies.pop(0)
        return Completion(text, None, 1, 1, False, "stop", "m", 1, raw=f"raw:{text}")

    async def aclose(self) -> None:
        pass


def test_validation_errors_are_quoted_back() -> None:
    client = Scripted('{"score": 9, "reason": "great"}', '{"score": 5, "reason": "great"}')
    result = asyncio.run(chat_structured(client, ASK, Rating))
    assert result.value.score == 5 and result.attempts == 2
    feedback = client.seen[1][-1]["content"]
    assert "score: Input should be less than or equal to 5" in feedback


def test_final_validation_failure_is_kind_validation() -> None:
    client = Scripted('{"score": "high"}', '{"score": "higher"}')
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(chat_structured(client, ASK, Rating, retries=1))
    assert caught.value.kind == "validation"
    assert caught.value.raw_output == 'raw:{"score": "higher"}'


def test_prompt_note_becomes_a_message_when_the_last_turn_is_not_the_users() -> None:
    client = Scripted('{"score": 3, "reason": "ok"}')
    asyncio.run(chat_structured(client, [{"role": "system", "content": "Rate."}], Rating))
    assert [m["role"] for m in client.seen[0]] == ["system", "user"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ("  [1, 2]  ", [1, 2]),
        ('Sure!\n```json\n{"a": [1, 2]}\n```\nAnything else?', {"a": [1, 2]}),
        ('```\n{"a": 1}\n```', {"a": 1}),
        ('Here [is] the JSON: {"a": "x}"} - enjoy', {"a": "x}"}),
        ('<think>maybe {"a": 0}</think>{"a": 2}', {"a": 2}),
        ("{'a': 1,}", {"a": 1}),
        ('{"a": 1} and then {"b": 2}', {"a": 1}),
        ("{}", {}),
    ],
)
def test_extract_json_tolerates_the_usual_wrapping(text: str, expected: Any) -> None:
    assert extract_json(text) == expected


@pytest.mark.parametrize(
    "text",
    ['{"a": "cut sho', '{"questions": ["one", "two", "thr', "[1, 2", 'Sure: {"a": [1, {"b": 2}'],
)
def test_extract_json_refuses_json_that_never_ends(text: str) -> None:
    with pytest.raises(ReplyError) as caught:
        extract_json(text)
    assert caught.value.kind == "truncated"


@pytest.mark.parametrize("text", ["", "No JSON here, sorry.", "<think>{}</think>nothing"])
def test_extract_json_without_json_is_a_parse_error(text: str) -> None:
    with pytest.raises(ReplyError) as caught:
        extract_json(text)
    assert caught.value.kind == "parse"

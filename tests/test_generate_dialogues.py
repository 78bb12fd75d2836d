"""Dialogues over real HTTP against the fake server: turn counts, alternation, grounding
instructions, retries, hygiene, continuing from a turn, the Chinese prompts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from pydantic import ValidationError

from easy_dataset import prompts
from easy_dataset.errors import InputError
from easy_dataset.generate import (
    DialogueResult,
    DialogueSpec,
    continue_dialogue,
    generate_dialogue,
)
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ChatClient, ModelConfig, Provider
from easy_dataset.types import Message
from tests import fake_openai
from tests.fake_kinds.dialogue import SCENARIO_TEXT
from tests.fake_openai import FakeOpenAI, Faults

T = TypeVar("T")
FACTS = [
    "Worker bees build comb, feed the brood and guard the hive.",
    "The queen lays up to 2,000 eggs a day.",
    "A worker lives about six weeks in summer.",
]
CHUNK = " ".join(FACTS)
SPEC = DialogueSpec(user_role="a new beekeeper", assistant_role="a bee inspector")


@pytest.fixture
def replies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Contents the fake server answers with, in order, before its own replies."""
    queue: list[str] = []
    made: Callable[[dict[str, Any]], str] = fake_openai.reply_content
    monkeypatch.setattr(fake_openai, "reply_content", lambda b: queue.pop(0) if queue else made(b))
    return queue


def call(
    fake: FakeOpenAI,
    function: Callable[..., Awaitable[T]],
    provider: Provider = "custom",
    **kwargs: Any,
) -> T:
    config = ModelConfig(
        name="fake",
        provider=provider,
        base_url=fake.base_url,
        model="fake-model",
        max_retries=0,
        validation_retries=1,
    )

    async def go() -> T:
        client: ChatClient = OpenAIChatClient(config, None)
        try:
            return await function(client, **kwargs)
        finally:
            await client.aclose()

    return asyncio.run(go())


def dialogue(fake: FakeOpenAI, provider: Provider = "custom", **kwargs: Any) -> DialogueResult:
    return call(fake, generate_dialogue, provider, **{"chunk": CHUNK, "spec": SPEC, **kwargs})


def user_messages(fake: FakeOpenAI) -> list[str]:
    return [str(body["messages"][1]["content"]) for body in fake.stats().bodies()]


def turns_reply(count: int, **extra: Any) -> str:
    turns = [{"user": f"Question {i}?", "assistant": FACTS[i % 3]} for i in range(count)]
    return json.dumps({"scenario": "At the apiary.", "turns": turns, **extra})


def roles(messages: list[Message]) -> list[str]:
    return [message.role for message in messages]


@pytest.mark.parametrize("provider", ["custom", "openai"])  # schema in the prompt; json_schema
def test_turn_count_is_drawn_within_bounds_and_stated(fake: FakeOpenAI, provider: Provider) -> None:
    spec = SPEC.model_copy(update={"min_turns": 2, "max_turns": 5})
    counts = set()
    for seed in range(8):
        result = dialogue(fake, provider, spec=spec, seed=seed)
        assert 2 <= result.turns <= 5 and result.trimmed == 0
        assert roles(result.messages) == ["system"] + ["user", "assistant"] * result.turns
        assert f"exactly {result.turns} turns" in user_messages(fake)[-1]
        assert [m.content for m in result.messages[2::2]] == (FACTS * 2)[: result.turns]
        counts.add(result.turns)
    assert len(counts) > 1  # the draw varies with the seed...
    assert dialogue(fake, provider, spec=spec, seed=3).turns == (
        dialogue(fake, provider, spec=spec, seed=3).turns  # ...and repeats with it
    )
    assert result.scenario == SCENARIO_TEXT
    system = result.messages[0].content
    assert "a bee inspector" in system and "a new beekeeper" in system and SCENARIO_TEXT in system
    assert result.provenance.as_dict() == {
        "prompt": "dialogue",
        "version": "1",
        "language": "en",
        "model": "fake-model",
    }


def test_the_prompt_grounds_every_reply_in_the_chunk(fake: FakeOpenAI) -> None:
    dialogue(fake, turns=2, heading_path=("Bees", "Workers"), title="Bee Guide")
    user = user_messages(fake)[0]
    for text in (CHUNK, "a new beekeeper", "a bee inspector", "Bees > Workers", "Bee Guide"):
        assert text in user
    assert "answers only with facts found in the material" in user
    assert "the material does not cover" in user and "without guessing" in user
    assert 'Never mention it: no "according to the text"' in user
    assert '"scenario"' in user  # none given: the model proposes one


def test_a_given_scenario_and_count_are_kept(fake: FakeOpenAI) -> None:
    spec = SPEC.model_copy(update={"scenario": "A hive is swarming.", "system_message": False})
    result = dialogue(fake, spec=spec, turns=3)
    assert result.turns == 3 and result.scenario == "A hive is swarming."
    assert roles(result.messages) == ["user", "assistant"] * 3
    user = user_messages(fake)[0]
    assert "Scenario: A hive is swarming." in user and '"scenario"' not in user


def test_counts_and_chunks_are_checked_before_any_call(fake: FakeOpenAI) -> None:
    with pytest.raises(InputError, match="between 2 and 4, not 5"):
        dialogue(fake, turns=5)
    with pytest.raises(InputError, match="chunk with text"):
        dialogue(fake, chunk="  ")
    assert fake.stats().total == 0
    with pytest.raises(ValidationError, match="must not exceed"):
        DialogueSpec(user_role="a", assistant_role="b", min_turns=3, max_turns=2)
    with pytest.raises(ValidationError):
        DialogueSpec(user_role="a", assistant_role="b", max_turns=13)
    with pytest.raises(ValidationError):
        DialogueSpec(user_role="  ", assistant_role="b")


def test_too_few_turns_are_asked_again_with_the_error(fake: FakeOpenAI, replies: list[str]) -> None:
    replies.append(turns_reply(1))
    result = dialogue(fake, turns=3)
    assert result.turns == 3
    retry = fake.stats().bodies()[1]["messages"]
    assert retry[-2]["content"] == turns_reply(1)
    assert retry[-1]["content"].startswith("Your reply was not valid: turns:")
    assert "at least 2 items" in retry[-1]["content"]


def test_too_many_turns_keep_the_first_max(fake: FakeOpenAI, replies: list[str]) -> None:
    replies.append(turns_reply(7))
    result = dialogue(fake, turns=3)
    assert (result.turns, result.trimmed, fake.stats().total) == (4, 3, 1)
    assert result.messages[-2].content == "Question 3?"


def test_malformed_replies_are_retried(fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(script=["malformed", "ok"]))
    result = dialogue(fake, turns=2)
    assert result.turns == 2
    assert fake.stats().by_outcome == {"malformed": 1, "ok": 1}


def test_debris_and_source_mentions_are_repaired(fake: FakeOpenAI, replies: list[str]) -> None:
    messages = [
        {"role": "user", "content": "  What do   workers do?</answer>"},
        {
            "role": "assistant",
            "content": "<p>According to the text, workers build comb.</p>",
            "reasoning": "The passage says that workers build comb.<|im_end|>",
        },
        {"role": "user", "content": "And the queen?"},
        {"role": "assistant", "content": "She lays eggs.", "reasoning": "Only she lays."},
    ]
    replies.append(json.dumps({"scenario": "x", "messages": messages}))  # role-tagged: paired
    result = dialogue(fake, spec=SPEC.model_copy(update={"reasoning": True}), turns=2)
    user, reply = result.messages[1:3]
    assert user.content == "What do workers do?"
    assert (reply.content, reply.reasoning) == ("Workers build comb.", "Workers build comb.")
    assert '"reasoning": "…"' in user_messages(fake)[0]


def test_messages_out_of_turn_are_asked_again(fake: FakeOpenAI, replies: list[str]) -> None:
    bad = [{"role": "user", "content": "a?"}, {"role": "user", "content": "b?"}]
    replies.append(json.dumps({"scenario": "x", "turns": bad}))
    assert dialogue(fake, turns=2).turns == 2
    assert "must alternate user, assistant" in fake.stats().bodies()[1]["messages"][-1]["content"]


def existing() -> list[Message]:
    # Odd spacing and a reasoning on purpose: kept messages must come back untouched.
    return [
        Message(role="system", content="Your role:  a bee inspector. "),
        Message(role="user", content="  How many eggs?\n"),
        Message(role="assistant", content="Up to 2,000 a day.  ", reasoning="She is the layer."),
        Message(role="user", content="Who builds comb?"),
        Message(role="assistant", content="The workers."),
        Message(role="user", content="Anything else?"),
        Message(role="assistant", content="That is all."),
    ]


def test_continuing_keeps_the_earlier_turns_byte_for_byte(fake: FakeOpenAI) -> None:
    spec = SPEC.model_copy(update={"scenario": "Spring inspection.", "max_turns": 5})
    before = existing()
    result = call(
        fake,
        continue_dialogue,
        chunk=CHUNK,
        spec=spec,
        messages=before,
        from_turn=2,
        turns=4,
    )
    assert result.messages[:5] == before[:5]
    assert [m.model_dump_json() for m in result.messages[:5]] == [
        m.model_dump_json() for m in before[:5]
    ]
    assert (result.turns, result.kept_turns, result.scenario) == (4, 2, "Spring inspection.")
    assert roles(result.messages) == ["system"] + ["user", "assistant"] * 4
    assert [m.content for m in result.messages[6::2]] == FACTS[:2]
    assert result.provenance.prompt == "dialogue_continue"
    user = user_messages(fake)[0]
    assert "exactly 2 more turns" in user and "(2 turns)" in user
    assert "How many eggs?" in user and "The workers." in user and "Anything else?" not in user
    assert "answers only with facts found in the material" in user


def test_continuing_from_the_first_turn_or_past_the_end(fake: FakeOpenAI) -> None:
    before = existing()
    again = call(fake, continue_dialogue, chunk=CHUNK, spec=SPEC, messages=before, from_turn=0)
    assert again.messages[0] == before[0] and 2 <= again.turns <= 4
    assert "<conversation>" not in user_messages(fake)[0]
    more = call(fake, continue_dialogue, chunk=CHUNK, spec=SPEC, messages=before, from_turn=3)
    assert more.turns == 4 and more.messages[:7] == before  # appended after the last turn
    for bad, message in [(4, "between 0 and the dialogue's 3 turns"), (-1, "not -1")]:
        with pytest.raises(InputError, match=message):
            call(fake, continue_dialogue, chunk=CHUNK, spec=SPEC, messages=before, from_turn=bad)
    full = SPEC.model_copy(update={"max_turns": 3})
    with pytest.raises(InputError, match="at most 3 turns"):
        call(fake, continue_dialogue, chunk=CHUNK, spec=full, messages=before, from_turn=3)
    swapped = [before[0], before[2], before[1]]
    with pytest.raises(InputError, match="must be an optional system message"):
        call(fake, continue_dialogue, chunk=CHUNK, spec=SPEC, messages=swapped, from_turn=1)
    assert fake.stats().total == 2


def test_chinese_prompts_and_system_message(fake: FakeOpenAI) -> None:
    chunk = "工蜂负责筑巢和喂养幼虫。蜂王每天最多产卵两千枚。"
    spec = DialogueSpec(
        user_role="新手养蜂人", assistant_role="蜂场检查员", language="zh", min_turns=2
    )
    result = call(fake, generate_dialogue, chunk=chunk, spec=spec, turns=2)
    assert result.messages[0].content.startswith("你的身份：蜂场检查员。对话对象：新手养蜂人。")
    assert [m.content for m in result.messages[2::2]] == [
        "工蜂负责筑巢和喂养幼虫。",
        "蜂王每天最多产卵两千枚。",
    ]
    system, user = (m["content"] for m in fake.stats().bodies()[0]["messages"])
    assert prompts.detect_language(system) == "zh"
    assert "恰好 2 轮" in user and "只用材料中的事实作答" in user and chunk in user
    continued = call(
        fake, continue_dialogue, chunk=chunk, spec=spec, messages=result.messages, from_turn=1
    )
    assert "再写恰好" in user_messages(fake)[-1] and continued.messages[:3] == result.messages[:3]

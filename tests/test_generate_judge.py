"""The LLM judge over real HTTP against the fake server: parsing, retries on out-of-range
scores, tolerant JSON, weights, the Chinese prompt and project overrides."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from easy_dataset import prompts
from easy_dataset.errors import ModelCallError
from easy_dataset.generate import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    Judgement,
    judge_pair,
    resolve_weights,
    weighted_score,
)
from easy_dataset.generate.judge import JudgeScores
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ModelConfig, Provider
from tests import fake_openai
from tests.fake_openai import FakeOpenAI

CHUNK = "Worker bees live about six weeks in summer. The queen lays up to 2,000 eggs a day."
QUESTION = "How many eggs can a honey bee queen lay in a day?"
ANSWER = "Up to 2,000 eggs a day."
COT = "The queen is the only egg layer; her rate is up to 2,000 a day."


def reply(**changes: Any) -> str:
    """A judge's JSON reply: good scores unless told otherwise."""
    body: dict[str, Any] = {
        "question": 5,
        "accuracy": 5,
        "relevance": 5,
        "consistency": 5,
        "verdict": "Accurate and to the point.",
    }
    body.update(changes)
    return json.dumps(body)


@pytest.fixture
def replies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Contents the fake server answers with, in order, before its schema-made defaults."""
    queue: list[str] = []
    made: Callable[[dict[str, Any]], str] = fake_openai.reply_content

    def scripted(body: dict[str, Any]) -> str:
        return queue.pop(0) if queue else made(body)

    # Looked up at call time by the server thread, so the patch reaches every reply.
    monkeypatch.setattr(fake_openai, "reply_content", scripted)
    return queue


def judge(fake: FakeOpenAI, provider: Provider = "custom", **kwargs: Any) -> Judgement:
    config = ModelConfig(
        name="fake",
        provider=provider,
        base_url=fake.base_url,
        model="fake-model",
        max_retries=0,
        validation_retries=1,
    )
    values: dict[str, Any] = {
        "question": QUESTION,
        "answer": ANSWER,
        "chunk": CHUNK,
        "language": "en",
        **kwargs,
    }

    async def go() -> Judgement:
        client = OpenAIChatClient(config, None)
        try:
            return await judge_pair(client, **values)
        finally:
            await client.aclose()

    return asyncio.run(go())


def user_message(fake: FakeOpenAI, index: int = 0) -> str:
    return str(fake.stats().bodies()[index]["messages"][1]["content"])


def test_a_good_reply_is_parsed_and_weighted(fake: FakeOpenAI, replies: list[str]) -> None:
    replies.append(
        reply(question=4, accuracy=2, relevance=5, consistency="3", verdict="  Omits a\n fact. ")
    )
    result = judge(fake, weights={"accuracy": 3.0, "question": 0.5}, cot=COT)
    assert result.scores == {"question": 4, "accuracy": 2, "relevance": 5, "consistency": 3}
    # (0.5*4 + 3*2 + 1*5 + 1*3) / (0.5 + 3 + 1 + 1) = 16 / 5.5
    assert result.score == 2.91
    assert result.verdict == "Omits a fact."
    assert result.provenance.as_dict() == {
        "prompt": "judge",
        "version": "1",
        "language": "en",
        "model": "fake-model",
    }
    assert fake.stats().total == 1
    user = user_message(fake)
    for text in (CHUNK, QUESTION, ANSWER, COT, '"accuracy": <0-5>'):
        assert text in user
    assert "3.0" not in user and "weight" not in user  # the weighting never reaches the model


def test_without_reasoning_the_prompt_has_no_reasoning_part(
    fake: FakeOpenAI, replies: list[str]
) -> None:
    replies.append(reply())
    result = judge(fake)
    assert result.score == 5.0
    user = user_message(fake)
    assert "reasoning" not in user.lower()  # nor a rubric line about reasoning it lacks


def test_schema_constrains_scores_and_the_fake_default_validates(fake: FakeOpenAI) -> None:
    result = judge(fake, provider="openai")  # json_schema mode: the fake fills in the schema
    assert set(result.scores) == set(CRITERIA)
    assert all(0 <= value <= 5 for value in result.scores.values()) and result.verdict
    schema = fake.stats().bodies()[0]["response_format"]["json_schema"]["schema"]
    for name in CRITERIA:
        assert schema["properties"][name]["minimum"] == 0
        assert schema["properties"][name]["maximum"] == 5
    assert set(schema["required"]) == {*CRITERIA, "verdict"}


def test_a_score_out_of_range_is_retried_with_the_error(
    fake: FakeOpenAI, replies: list[str]
) -> None:
    replies.extend([reply(accuracy=7), reply(accuracy=3)])
    result = judge(fake)
    assert result.scores["accuracy"] == 3
    assert result.score == 4.2  # (5 + 2*3 + 5 + 5) / 5
    bodies = fake.stats().bodies()
    assert len(bodies) == 2
    retry = bodies[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": reply(accuracy=7)}
    assert retry[-1]["content"].startswith("Your reply was not valid: accuracy:")
    assert "less than or equal to 5" in retry[-1]["content"]


def test_a_reply_that_never_validates_fails(fake: FakeOpenAI, replies: list[str]) -> None:
    replies.extend([reply(question=-1), reply(question=9)])
    with pytest.raises(ModelCallError) as caught:
        judge(fake)
    assert caught.value.kind == "validation" and fake.stats().total == 2


@pytest.mark.parametrize(
    "content",
    [
        "Here is my assessment:\n```json\n" + reply(relevance=4) + "\n```\nI hope this helps.",
        "Sure. " + reply(relevance=4) + " Let me know if you need more.",
        "<think>The answer matches the chunk.</think>\n" + reply(relevance=4),
    ],
)
def test_json_in_prose_or_fences_is_accepted(
    fake: FakeOpenAI, replies: list[str], content: str
) -> None:
    replies.append(content)
    result = judge(fake)
    assert result.scores["relevance"] == 4 and fake.stats().total == 1


@pytest.mark.parametrize(
    ("value", "score"),
    [(4, 4), (4.0, 4), ("4", 4), (" 3 ", 3), ("4/5", 4), (4.5, 5), (0.4, 0), ("2.5", 3)],
)
def test_scores_written_loosely_are_coerced(value: Any, score: int) -> None:
    parsed = JudgeScores.model_validate(json.loads(reply(question=value)))
    assert parsed.question == score


@pytest.mark.parametrize("value", [6, 5.6, -1, "four", True, None, "nan"])
def test_scores_that_are_not_0_to_5_are_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        JudgeScores.model_validate(json.loads(reply(question=value)))


def test_nested_scores_and_blank_verdicts() -> None:
    nested = {"scores": {name: 4 for name in CRITERIA}, "verdict": "Fine."}
    assert JudgeScores.model_validate(nested).accuracy == 4
    echoed = {**nested, "question": "What do bees eat?"}  # the nested score wins
    assert JudgeScores.model_validate(echoed).question == 4
    with pytest.raises(ValidationError):
        JudgeScores.model_validate(json.loads(reply(verdict="   ")))


def test_weighted_score_defaults_and_errors() -> None:
    scores = {"question": 5, "accuracy": 0, "relevance": 5, "consistency": 5}
    assert weighted_score(scores, {}) == 3.0  # accuracy counts double by default
    assert weighted_score(scores, {"accuracy": 0}) == 5.0
    assert weighted_score(scores, {"question": 1, "relevance": 0, "consistency": 0}) == 1.67
    assert resolve_weights(None) == DEFAULT_WEIGHTS
    with pytest.raises(ValueError, match="no criterion 'fluency'"):
        weighted_score(scores, {"fluency": 1.0})
    with pytest.raises(ValueError, match="not negative: relevance"):
        weighted_score(scores, {"relevance": -1.0})
    with pytest.raises(ValueError, match="not negative: question"):
        weighted_score(scores, {"question": float("nan")})
    with pytest.raises(ValueError, match="above zero"):
        weighted_score(scores, dict.fromkeys(CRITERIA, 0.0))
    with pytest.raises(ValueError, match="missing consistency"):
        weighted_score({"question": 5, "accuracy": 5, "relevance": 5}, {})
    with pytest.raises(ValueError, match="unknown style"):
        weighted_score({**scores, "style": 3}, {})


def test_bad_weights_fail_before_any_call(fake: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="above zero"):
        judge(fake, weights=dict.fromkeys(CRITERIA, 0))
    assert fake.stats().total == 0


def test_chinese_renders_the_chinese_prompt(fake: FakeOpenAI, replies: list[str]) -> None:
    chunk = "工蜂在夏季大约能活六周。蜂王每天最多产卵两千枚。"
    replies.append(reply(verdict="答案准确，紧扣问题。"))
    result = judge(
        fake,
        question="蜂王每天最多能产多少枚卵？",
        answer="最多两千枚。",
        chunk=chunk,
        language="zh",
    )
    assert result.provenance.language == "zh" and result.verdict == "答案准确，紧扣问题。"
    system, user = (m["content"] for m in fake.stats().bodies()[0]["messages"])
    assert prompts.detect_language(system) == "zh"
    assert chunk in user and "蜂王每天最多能产多少枚卵？" in user
    assert "只输出 JSON" in user and "用一两句中文" in user
    assert "Score the question" not in user


def test_an_override_template_is_used(fake: FakeOpenAI, replies: list[str]) -> None:
    default = prompts.default_template("judge", "en")
    marker = "Be especially strict about figures."
    override = default.replace("Then write the verdict:", marker + " Then write the verdict:")
    assert override != default
    replies.append(reply())
    result = judge(fake, override=override)
    assert marker in user_message(fake) and CHUNK in user_message(fake)
    assert re.fullmatch(r"1\+override\.[0-9a-f]{8}", result.provenance.version)

"""The fake OpenAI server itself: routes, fitting replies, faults, stats, the process mode."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter

from tests.fake_openai import MALFORMED_TEXT, REASONING_TEXT, FakeOpenAI, Faults, instance_of


def call(
    url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def chat(fake: FakeOpenAI, prompt: str, **extra: Any) -> tuple[int, dict[str, str], Any]:
    body = {"model": "m", "messages": [{"role": "user", "content": prompt}], **extra}
    return call(f"{fake.base_url}/chat/completions", body)


def content(reply: Any) -> str:
    return str(reply["choices"][0]["message"]["content"])


def test_base_url_has_a_runtime_port(fake: FakeOpenAI) -> None:
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/v1"
    assert fake.port > 0


def test_replies_fit_the_prompt_keyword(fake: FakeOpenAI) -> None:
    questions = json.loads(content(chat(fake, "Write questions about this text")[2]))
    assert len(questions) == 3 and all(q.endswith("?") for q in questions)
    assert "bees" in content(chat(fake, "Answer the question: what do bees do?")[2])
    rating = json.loads(content(chat(fake, "Rate this answer from 1 to 5")[2]))
    assert rating["score"] == 4 and rating["reason"]
    assert content(chat(fake, "Hello")[2])


def test_reply_reports_usage_and_the_model(fake: FakeOpenAI) -> None:
    status, _, reply = chat(fake, "Hello")
    assert status == 200
    assert reply["model"] == "m"
    assert reply["usage"]["total_tokens"] > 0
    assert reply["choices"][0]["finish_reason"] == "stop"


class Item(BaseModel):
    kind: Literal["fact", "opinion"]
    weight: float = Field(ge=2, le=3)


class Survey(BaseModel):
    questions: list[str] = Field(min_length=2)
    rating: int = Field(ge=7, lt=10)
    items: list[Item]
    note: str | None
    short: str = Field(max_length=5)
    flag: bool


def test_json_schema_reply_is_valid_for_the_schema(fake: FakeOpenAI) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Survey", "schema": Survey.model_json_schema(), "strict": False},
    }
    _, _, reply = chat(fake, "Fill in the survey", response_format=response_format)
    survey = Survey.model_validate_json(content(reply))
    assert len(set(survey.questions)) == len(survey.questions)


def test_schema_embedded_in_the_prompt_is_honoured(fake: FakeOpenAI) -> None:
    schema = json.dumps(Survey.model_json_schema())
    prompt = f"Fill it in. Reply matching this JSON schema:\n```json\n{schema}\n```"
    Survey.model_validate_json(content(chat(fake, prompt)[2]))


class Turn(BaseModel):
    user: str
    assistant: str


class Dialogue(BaseModel):
    turns: list[Turn] = Field(min_length=2, max_length=4)


def test_a_dialogue_prompt_gets_its_stated_turns_within_the_schema(fake: FakeOpenAI) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Dialogue", "schema": Dialogue.model_json_schema()},
    }

    def turns(prompt: str) -> list[Turn]:
        material = "<material>\nBees dance. Queens lay eggs!\n</material>\n"
        reply = chat(fake, material + prompt, response_format=response_format)[2]
        return Dialogue.model_validate_json(content(reply)).turns

    assert [t.assistant for t in turns("Write exactly 3 turns.")] == [
        "Bees dance.",
        "Queens lay eggs!",
        "Bees dance.",
    ]
    assert len(turns("Write exactly 9 more turns.")) == 4  # held to the schema's bounds
    assert len(turns("请写一段恰好 1 轮的对话。")) == 2
    assert len(turns("Write a dialogue.")) == 2  # no count stated: the minimum


def test_a_turn_judge_scores_accuracy_by_the_material(fake: FakeOpenAI) -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "JudgeScores"}}

    def scores(reply: str) -> Any:
        prompt = f"<material>\nBees dance.\n</material>\n<assistant>\n{reply}\n</assistant>"
        return json.loads(content(chat(fake, prompt, response_format=response_format)[2]))

    assert scores("Bees  dance.")["accuracy"] == 5
    assert scores("Bees dance. Bees sing.")["accuracy"] == 1
    assert scores("Bees sing.")["question"] == 4


def test_json_object_reply_is_an_object(fake: FakeOpenAI) -> None:
    reply = chat(fake, "Anything", response_format={"type": "json_object"})[2]
    assert isinstance(json.loads(content(reply)), dict)


@pytest.mark.parametrize("schema_type", [list[int], dict[str, float], tuple[str, int]])
def test_instances_of_plain_types(schema_type: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(schema_type)
    adapter.validate_python(instance_of(adapter.json_schema()))


def test_script_is_consumed_in_order_then_replies_are_ok(fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(script=["429", "500", "malformed", "no_usage"], retry_after="7"))
    status, headers, _ = chat(fake, "Hello")
    assert (status, headers["Retry-After"]) == (429, "7")
    assert chat(fake, "Hello")[0] == 500
    assert content(chat(fake, "Hello")[2]) == MALFORMED_TEXT
    assert "usage" not in chat(fake, "Hello")[2]
    assert chat(fake, "Hello")[0] == 200
    assert fake.stats().by_outcome == {"429": 1, "500": 1, "malformed": 1, "no_usage": 1, "ok": 1}


def test_truncated_reply_is_cut_in_half(fake: FakeOpenAI) -> None:
    whole = content(chat(fake, "Write questions")[2])
    fake.set_faults(script=["truncated"])
    _, _, reply = chat(fake, "Write questions")
    assert content(reply) == whole[: len(whole) // 2]
    assert reply["choices"][0]["finish_reason"] == "length"


def test_random_faults_are_reproducible_with_a_seed() -> None:
    def outcomes() -> dict[str, int]:
        with FakeOpenAI(Faults(p_500=0.3, p_malformed=0.3, seed=5)) as fake:
            for _ in range(30):
                chat(fake, "Hello")
            return fake.stats().by_outcome

    first = outcomes()
    assert first == outcomes()
    assert set(first) == {"500", "malformed", "ok"}


def test_reasoning_in_a_field_and_in_think_tags(fake: FakeOpenAI) -> None:
    fake.set_faults(reasoning_field="reasoning_content", think_tags=True)
    message = chat(fake, "Hello")[2]["choices"][0]["message"]
    assert message["reasoning_content"] == REASONING_TEXT
    assert message["content"].startswith(f"<think>{REASONING_TEXT}</think>")


def test_auth_is_enforced_when_asked(fake: FakeOpenAI) -> None:
    fake.set_faults(status_for_auth=401, api_key="sk-right")
    url = f"{fake.base_url}/models"
    assert call(url, headers={"Authorization": "Bearer sk-wrong"})[0] == 401
    assert call(url, headers={"Authorization": "Bearer sk-right"})[0] == 200


def test_models_and_ollama_tags(fake: FakeOpenAI) -> None:
    listed = call(f"{fake.base_url}/models")[2]
    assert [m["id"] for m in listed["data"]] == ["fake-model", "fake-model-mini"]
    tags = call(f"{fake.root_url}/api/tags")[2]
    assert [t["name"] for t in tags["models"]] == ["fake-model", "fake-model-mini"]


def test_unknown_route_is_404(fake: FakeOpenAI) -> None:
    assert call(f"{fake.base_url}/embeddings", {"input": "x"})[0] == 404


def test_stats_log_headers_and_bodies(fake: FakeOpenAI) -> None:
    call(
        f"{fake.base_url}/chat/completions",
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}]},
        headers={"X-Trace": "abc"},
    )
    stats = fake.stats()
    assert stats.total == 1 and stats.inflight == 0 and stats.peak_inflight == 1
    assert stats.bodies()[0]["messages"][0]["content"] == "Hi"
    assert stats.log[0]["headers"]["x-trace"] == "abc"


def test_over_concurrency_answers_500(fake: FakeOpenAI) -> None:
    fake.set_faults(max_inflight_allowed=0)
    status, _, reply = chat(fake, "Hello")
    assert status == 500 and "over concurrency" in reply["error"]["message"]
    assert fake.stats().by_outcome == {"over_concurrency": 1}


def test_http_stats_and_reset(fake: FakeOpenAI) -> None:
    chat(fake, "Hello")
    assert call(f"{fake.root_url}/_stats")[2]["total"] == 1
    assert call(f"{fake.root_url}/_reset", {"script": ["503"]})[2] == {"ok": True}
    assert call(f"{fake.root_url}/_stats")[2]["total"] == 0
    assert chat(fake, "Hello")[0] == 503
    assert call(f"{fake.root_url}/_stats?log=1")[2]["log"][0]["path"] == "/v1/chat/completions"


def test_runs_as_a_separate_process() -> None:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "tests.fake_openai", "--latency", "0", "--script", "503,ok"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline().split()
            assert first[0] == "PORT"
            root_url = f"http://127.0.0.1:{first[1]}"
            body = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
            assert call(f"{root_url}/v1/chat/completions", body)[0] == 503
            assert call(f"{root_url}/v1/chat/completions", body)[0] == 200
            assert call(f"{root_url}/_stats")[2]["by_outcome"] == {"503": 1, "ok": 1}
            assert call(f"{root_url}/_reset", {"p_500": 1.0})[0] == 200
            assert call(f"{root_url}/v1/chat/completions", body)[0] == 500
            assert call(f"{root_url}/_reset", {"no_such_fault": 1})[0] == 400
        finally:
            process.kill()

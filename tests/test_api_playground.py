"""POST /api/projects/{p}/playground: the models' answers as server-sent events, the body
checked before any call, and the server's site checks in front of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import models, projects
from tests.api_support import core, fresh, refused, shared_server
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_playground import REPLIES

URL = "/api/projects/bees/playground"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture(scope="module")
def scripted() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(replies=REPLIES)) as fake:
        yield fake


@pytest.fixture
def api(server: TestClient, scripted: FakeOpenAI) -> TestClient:
    client = fresh(server)
    scripted.reset()
    app = core(client)
    projects.create_project(app, "bees")
    for name, model in (("a", "m-a"), ("b", "m-b")):
        config = ModelConfig(
            name=name, provider="custom", base_url=scripted.base_url, model=model, max_retries=0
        )
        models.add_model(app, "bees", config)
    return client


def sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) pairs of an event stream."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_answers_stream_as_events_per_model(api: TestClient) -> None:
    body = {"prompt": "What do bees make?", "models": ["a", "b"], "temperature": 0.5}
    response = api.post(URL, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    assert events[-1] == ("end", {})
    for name, entry in zip(("a", "b"), REPLIES, strict=True):
        mine = [(kind, data) for kind, data in events if data.get("model") == name]
        text = "".join(data["text"] for kind, data in mine if kind == "delta")
        assert text == entry["reply"]
        kind, done = mine[-1]
        assert kind == "done"
        result = done["result"]
        assert result["text"] == entry["reply"]
        assert result["completion_tokens"] > 0 and result["latency_ms"] >= 0
        assert "first_token_ms" in result and "tokens_per_second" in result


def test_a_failing_model_ends_in_an_error_event(api: TestClient, scripted: FakeOpenAI) -> None:
    scripted.set_faults(script=["401"])
    events = sse(api.post(URL, json={"prompt": "Hi", "models": ["a"]}).text)
    assert [kind for kind, _ in events] == ["error", "end"]
    assert events[0][1]["result"]["error_kind"] == "auth"


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "Hi", "models": ["a", "a"]},
        {"prompt": "Hi", "models": ["a", "b", "c", "d"]},
        {"prompt": "Hi", "models": []},
        {"prompt": "", "models": ["a"]},
        {"prompt": "x" * 100_001, "models": ["a"]},
        {"prompt": "Hi", "models": ["a"], "temperature": 3},
        {"prompt": "Hi", "models": ["a"], "stream": False},
    ],
)
def test_bad_bodies_are_refused_before_any_call(
    api: TestClient, scripted: FakeOpenAI, body: dict[str, Any]
) -> None:
    refused(api.post(URL, json=body), 422, "invalid_request")
    assert scripted.stats().total == 0


def test_unknown_model_or_project_is_404(api: TestClient, scripted: FakeOpenAI) -> None:
    refused(api.post(URL, json={"prompt": "Hi", "models": ["a", "nope"]}), 404)
    refused(api.post("/api/projects/wasps/playground", json={"prompt": "Hi", "models": ["a"]}), 404)
    assert scripted.stats().total == 0


def test_other_sites_may_not_run_it(api: TestClient, scripted: FakeOpenAI) -> None:
    body = {"prompt": "Hi", "models": ["a"]}
    refused(api.post(URL, json=body, headers={"origin": "http://evil.example"}), 403, "cross_site")
    refused(api.post(URL, json=body, headers={"host": "evil.example"}), 421, "unknown_host")
    assert scripted.stats().total == 0

"""REST API: model configurations (keys accepted, never answered), connection tests, the
endpoint's model list, presets; and prompt overrides (list, show, set, diff, reset)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_support import Answer, fresh, ok, refused, shared_server
from tests.fake_openai import FakeOpenAI, Faults

KEY = "sk-model-secret-9876543210"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(status_for_auth=401, api_key=KEY)) as server:
        yield server


class Recorder:
    """The client, keeping every response so none can be checked for the key afterwards."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.responses: list[Answer] = []

    def __call__(self, method: str, url: str, **kwargs: Any) -> Answer:
        response = self.client.request(method, url, **kwargs)
        self.responses.append(response)
        return response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient) -> Iterator[Recorder]:
    client = fresh(server)
    ok(client.post("/api/projects", json={"name": "p"}), 201)
    recorder = Recorder(client)
    yield recorder
    for response in recorder.responses:
        assert KEY not in response.text and KEY[-8:] not in response.text


def _config(fake: FakeOpenAI, name: str, **extra: Any) -> dict[str, Any]:
    base = {"name": name, "provider": "custom", "base_url": fake.base_url, "model": "fake-model"}
    return {**base, "max_retries": 0, **extra}


def test_models_add_list_test_default_remove(api: Recorder, fake: FakeOpenAI) -> None:
    added = ok(api("POST", "/api/projects/p/models", json=_config(fake, "main", api_key=KEY)), 201)
    assert added["is_default"] and added["has_key"] and added["key_hint"] == "…3210"
    assert added["base_url"] == fake.base_url and "api_key" not in added["config"]
    second = ok(api("POST", "/api/projects/p/models", json=_config(fake, "team/mini")), 201)
    assert not second["is_default"] and not second["has_key"] and second["key_hint"] is None

    listed = ok(api("GET", "/api/projects/p/models"))
    assert listed["total"] == 2 and [m["name"] for m in listed["items"]] == ["main", "team/mini"]
    assert (
        ok(api("GET", "/api/projects/p/models?limit=1&offset=1"))["items"][0]["name"] == "team/mini"
    )

    report = ok(api("POST", "/api/projects/p/models/main/test"))
    assert report["ok"] and report["models_listed"] and report["model_found"]
    # The key went to the endpoint, in the header only.
    sent = [e["headers"].get("authorization") for e in fake.stats().log]
    assert f"Bearer {KEY}" in sent
    available = ok(api("GET", "/api/projects/p/models/main/available"))
    assert available == {"items": ["fake-model", "fake-model-mini"], "total": 2}

    # Without the key the endpoint refuses: a report (not an error) that says so.
    failed = ok(api("POST", "/api/projects/p/models/team/mini/test"))
    assert failed["ok"] is False and failed["error"]
    listing = api("GET", "/api/projects/p/models/team/mini/available")
    assert refused(listing, 502, "model_error") and listing.json()["model_error"] == "auth"

    made = ok(api("POST", "/api/projects/p/models/team/mini/default"))
    assert made["is_default"] and made["name"] == "team/mini"
    assert [m["is_default"] for m in ok(api("GET", "/api/projects/p/models"))["items"]] == [
        False,
        True,
    ]
    removed = ok(api("DELETE", "/api/projects/p/models/team/mini"))
    assert removed["name"] == "team/mini"
    # The other one becomes the default again.
    assert ok(api("GET", "/api/projects/p/models"))["items"][0]["is_default"] is True


def test_unreachable_endpoint_is_a_bad_gateway(api: Recorder) -> None:
    config = {
        "name": "off",
        "provider": "custom",
        "base_url": "http://127.0.0.1:9/v1",
        "model": "m",
    }
    ok(
        api("POST", "/api/projects/p/models", json={**config, "max_retries": 0, "api_key": KEY}),
        201,
    )
    response = api("GET", "/api/projects/p/models/off/available")
    refused(response, 502, "model_error")
    assert ok(api("POST", "/api/projects/p/models/off/test"))["ok"] is False


@pytest.mark.parametrize(
    ("changes", "status", "fragment"),
    [
        ({"concurrency": 0}, 422, "concurrency"),
        ({"temperature": 5}, 422, "temperature"),
        ({"provider": "nobody"}, 422, "provider"),
        ({"name": ""}, 422, "name"),
        ({"model": None}, 422, "model"),
        ({"api_key": "   "}, 422, "key is empty"),
        ({"api_key": 12345}, 422, "api_key"),
        ({"base_url": None}, 422, "no base URL"),
        ({"secret": KEY}, 422, "secret"),
    ],
)
def test_bad_model_configurations(
    api: Recorder, fake: FakeOpenAI, changes: dict[str, Any], status: int, fragment: str
) -> None:
    body = {**_config(fake, "m", api_key=KEY), **changes}
    assert fragment in refused(api("POST", "/api/projects/p/models", json=body), status)
    assert ok(api("GET", "/api/projects/p/models"))["total"] == 0


def test_model_conflicts_and_unknowns(api: Recorder, fake: FakeOpenAI) -> None:
    ok(api("POST", "/api/projects/p/models", json=_config(fake, "m", api_key=KEY)), 201)
    refused(api("POST", "/api/projects/p/models", json=_config(fake, "m", api_key=KEY)), 409)
    for method, suffix in (
        ("POST", "/test"),
        ("GET", "/available"),
        ("POST", "/default"),
        ("DELETE", ""),
    ):
        refused(api(method, f"/api/projects/p/models/nope{suffix}"), 404, "not_found")
    refused(api("GET", "/api/projects/nope/models"), 404)
    refused(api("POST", "/api/projects/nope/models", json=_config(fake, "m")), 404)


def test_presets(api: Recorder) -> None:
    presets = ok(api("GET", "/api/models/presets?limit=500"))
    by_provider = {p["provider"]: p for p in presets["items"]}
    assert presets["total"] == len(by_provider) >= 10
    assert by_provider["openai"]["api_key_env"] == "OPENAI_API_KEY"
    assert (
        by_provider["ollama"]["models_api"] == "ollama" and by_provider["local"]["base_url"] is None
    )


def test_prompts_show_set_diff_reset(api: Recorder) -> None:
    listed = ok(api("GET", "/api/projects/p/prompts?limit=500"))
    names = {(p["name"], p["language"]) for p in listed["items"]}
    assert ("questions", "en") in names and ("questions", "zh") in names
    assert listed["total"] == len(names) and not any(p["overridden"] for p in listed["items"])

    shown = ok(api("GET", "/api/projects/p/prompts/questions/en"))
    assert shown["override"] is None and shown["template"] == shown["default"]
    assert ok(api("GET", "/api/projects/p/prompts/questions/en/diff")) == {"diff": ""}

    template = shown["default"].replace("{% block user %}", "{% block user %}Ask about bees.\n")
    assert template != shown["default"]
    changed = ok(api("PUT", "/api/projects/p/prompts/questions/en", json={"template": template}))
    assert changed["overridden"] and changed["override"] == template
    assert changed["version"] != shown["version"]
    diff = ok(api("GET", "/api/projects/p/prompts/questions/en/diff"))["diff"]
    assert "+{% block user %}Ask about bees." in diff and "(override)" in diff
    marked = ok(api("GET", "/api/projects/p/prompts?limit=500"))["items"]
    assert [(p["name"], p["language"]) for p in marked if p["overridden"]] == [("questions", "en")]

    reset = ok(api("DELETE", "/api/projects/p/prompts/questions/en"))
    assert reset["overridden"] is False and reset["template"] == shown["default"]
    refused(api("DELETE", "/api/projects/p/prompts/questions/en"), 404)


def test_bad_prompts(api: Recorder) -> None:
    refused(api("GET", "/api/projects/p/prompts/nope/en"), 404)
    refused(api("GET", "/api/projects/p/prompts/questions/fr"), 404)
    refused(api("GET", "/api/projects/nope/prompts"), 404)
    broken = api("PUT", "/api/projects/p/prompts/questions/en", json={"template": "{% if %}"})
    assert "nothing was stored" in refused(broken, 422, "invalid_input")
    unsafe = "{{ ''.__class__.__mro__ }}"
    refused(api("PUT", "/api/projects/p/prompts/questions/en", json={"template": unsafe}), 422)
    refused(api("PUT", "/api/projects/p/prompts/questions/en", json={}), 422)
    assert ok(api("GET", "/api/projects/p/prompts/questions/en"))["override"] is None

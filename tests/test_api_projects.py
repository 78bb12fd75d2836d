"""REST API: projects (list with counts, create, copy models, show, settings, delete), error
answers, and the access token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.store.dataset import QAPair, Question
from tests.api_support import core, fresh, make_project, ok, refused, shared_server
from tests.fake_openai import FakeOpenAI, Faults

KEY = "sk-project-secret-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient) -> TestClient:
    return fresh(server)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(status_for_auth=401, api_key=KEY)) as server:
        yield server


def test_health(api: TestClient) -> None:
    assert ok(api.get("/api/health"))["status"] == "ok"


def test_create_show_update_delete(api: TestClient, tmp_path: Path) -> None:
    created = ok(
        api.post(
            "/api/projects",
            json={"name": " bees ", "description": "hives", "chunking": {"strategy": "fixed"}},
        ),
        201,
    )
    assert created["name"] == "bees" and created["description"] == "hives"
    assert created["chunking"]["strategy"] == "fixed"
    assert created["file_count"] == created["qa_count"] == created["prompt_tokens"] == 0
    pid = created["id"]
    # By id or by name.
    assert ok(api.get(f"/api/projects/{pid}"))["name"] == "bees"
    assert ok(api.get("/api/projects/bees"))["id"] == pid

    changed = ok(
        api.patch(
            "/api/projects/bees",
            json={
                "description": "apiary",
                "chunking": {"strategy": "recursive", "size": 800},
                "generation": {"language": "zh", "max_questions": 4, "exact_questions": 2},
            },
        )
    )
    assert changed["description"] == "apiary"
    assert changed["chunking"]["strategy"] == "recursive" and changed["chunking"]["size"] == 800
    assert changed["generation"]["language"] == "zh"
    assert changed["generation"]["max_questions"] == 4
    # Only what is named changes; null clears the exact question count.
    cleared = ok(api.patch("/api/projects/bees", json={"generation": {"exact_questions": None}}))
    assert cleared["generation"]["exact_questions"] is None
    assert cleared["generation"]["language"] == "zh" and cleared["description"] == "apiary"

    deleted = ok(api.delete(f"/api/projects/{pid}"))
    assert deleted["id"] == pid
    refused(api.get("/api/projects/bees"), 404, "not_found")
    assert not Path(deleted["folder"]).exists()


def test_list_counts_and_token_totals(api: TestClient, fake: FakeOpenAI) -> None:
    make_project(api, fake.base_url)
    ok(api.post("/api/projects", json={"name": "empty"}), 201)
    ok(
        api.post(
            "/api/projects/bees/models", json={"name": "keyed", **_model(fake), "api_key": KEY}
        ),
        201,
    )
    assert ok(api.post("/api/projects/bees/models/keyed/test"))["ok"] is True
    app = core(api)
    bees = ok(api.get("/api/projects/bees"))
    with app.db.session() as session:
        question = Question(project_id=bees["id"], text="Why?")
        session.add(question)
        session.flush()
        session.add(
            QAPair(project_id=bees["id"], question_id=question.id, question="Why?", answer=".")
        )

    page = ok(api.get("/api/projects"))
    assert page["total"] == 2
    first, second = page["items"]
    assert (first["name"], second["name"]) == ("bees", "empty")
    assert first["file_count"] == 1 and first["chunk_count"] == 3
    assert first["question_count"] == 1 and first["qa_count"] == 1
    assert first["model_calls"] >= 1 and first["prompt_tokens"] > 0
    assert second["chunk_count"] == second["model_calls"] == second["prompt_tokens"] == 0

    assert [p["name"] for p in ok(api.get("/api/projects?limit=1&offset=1"))["items"]] == ["empty"]
    assert ok(api.get("/api/projects?offset=5")) == {"items": [], "total": 2}
    for query in ("limit=0", "limit=501", "offset=-1", "limit=ten"):
        refused(api.get(f"/api/projects?{query}"), 422, "invalid_request")


def _model(fake: FakeOpenAI) -> dict[str, object]:
    return {"provider": "custom", "base_url": fake.base_url, "model": "m", "max_retries": 0}


def test_create_copying_models_keeps_keys_on_the_server(api: TestClient, fake: FakeOpenAI) -> None:
    ok(api.post("/api/projects", json={"name": "source"}), 201)
    ok(
        api.post("/api/projects/source/models", json={"name": "a", **_model(fake), "api_key": KEY}),
        201,
    )
    ok(api.post("/api/projects/source/models", json={"name": "b", **_model(fake)}), 201)
    created = api.post("/api/projects", json={"name": "copy", "copy_models_from": "source"})
    ok(created, 201)
    listed = api.get("/api/projects/copy/models")
    views = ok(listed)["items"]
    assert [(v["name"], v["is_default"], v["has_key"]) for v in views] == [
        ("a", True, True),
        ("b", False, False),
    ]
    for response in (created, listed):
        assert KEY not in response.text
    # The copied key is the real one: the endpoint accepts it.
    assert ok(api.post("/api/projects/copy/models/a/test"))["ok"] is True

    refused(api.post("/api/projects", json={"name": "x", "copy_models_from": "nope"}), 404)
    refused(api.get("/api/projects/x"), 404)  # nothing was created


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": ""}, "needs a name"),
        ({"name": "   "}, "needs a name"),
        ({"name": "123"}, "only digits"),
        ({"name": "a\x00b"}, "control characters"),
        ({}, "name"),
        ({"name": 5}, "name"),
        ({"name": "p", "colour": "red"}, "colour"),
        ({"name": "p", "chunking": {"min_chars": 10, "max_chars": 5}}, "min_chars"),
        ({"name": "p", "chunking": {"strategy": "magic"}}, "strategy"),
    ],
)
def test_bad_project_input(api: TestClient, body: dict[str, object], fragment: str) -> None:
    assert fragment in refused(api.post("/api/projects", json=body), 422)
    assert ok(api.get("/api/projects"))["total"] == 0


def test_conflicts_unknown_projects_and_malformed_json(api: TestClient) -> None:
    ok(api.post("/api/projects", json={"name": "bees"}), 201)
    refused(api.post("/api/projects", json={"name": "bees"}), 409, "conflict")
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"description": "x"}} if method == "patch" else {}
        refused(getattr(api, method)("/api/projects/nope", **kwargs), 404, "not_found")
        refused(getattr(api, method)("/api/projects/999", **kwargs), 404, "not_found")
    malformed = api.post(
        "/api/projects", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    refused(malformed, 422, "invalid_request")
    refused(api.post("/api/projects", content=b"name=x"), 422, "invalid_request")
    refused(api.get("/api/nowhere"), 404, "not_found")


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"generation": {"min_questions": 9, "max_questions": 2}}, "min_questions"),
        ({"generation": {"language": "fr"}}, "language"),
        ({"generation": {"app": 1}}, "unknown generation setting"),
        ({"chunking": {"overlap": 5000}}, "overlap"),
        ({"name": "renamed"}, "name"),
    ],
)
def test_bad_settings_change_nothing(
    api: TestClient, changes: dict[str, object], fragment: str
) -> None:
    before = ok(api.post("/api/projects", json={"name": "bees", "description": "d"}), 201)
    assert fragment in refused(
        api.patch("/api/projects/bees", json={"description": "new", **changes}), 422
    )
    after = ok(api.get("/api/projects/bees"))
    assert (after["description"], after["generation"], after["chunking"]) == (
        before["description"],
        before["generation"],
        before["chunking"],
    )

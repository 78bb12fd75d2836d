"""REST API: generation stages as jobs, questions, QA review, personas and question
templates, against the fake model server; bad input answered 4xx with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_support import fresh, make_project, ok, refused, shared_server, wait_for_job
from tests.fake_openai import FakeOpenAI

P = "/api/projects/bees"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient, fake: FakeOpenAI) -> TestClient:
    client = fresh(server)
    make_project(client, fake.base_url)
    return client


def run(api: TestClient, stage: str, **options: Any) -> dict[str, Any]:
    job = ok(api.post(f"{P}/stages/{stage}", json=options), 202)
    assert job["type"] == stage
    state = wait_for_job(api, job["id"])
    assert state["job"]["status"] == "succeeded", state
    return dict(state["job"])


def test_stages_run_as_background_jobs(api: TestClient) -> None:
    assert run(api, "tags.build")["total"] == 1
    assert ok(api.get(f"{P}/tags"))["tree"]
    assert run(api, "questions.generate")["total"] == 3
    page = ok(api.get(f"{P}/questions", params={"answered": False}))
    assert page["total"] == 3 and all(q["tag"] for q in page["items"])
    assert run(api, "answers.generate", synthesize_cot=False)["total"] == 3
    assert ok(api.get(f"{P}/questions", params={"answered": True}))["total"] == 3
    assert ok(api.get(f"{P}/qa"))["total"] == 3
    # Everything is done: a new job has nothing to plan.
    assert run(api, "answers.generate")["total"] == 0

    refused(api.post(f"{P}/stages/dance", json={}), 404, "not_found")
    refused(api.post(f"{P}/stages/tags.build", json={"colour": 1}), 422)
    refused(api.post(f"{P}/stages/tags.build", json={"model": "nope"}), 404)
    refused(api.post("/api/projects/none/stages/tags.build", json={}), 404)


def test_questions(api: TestClient) -> None:
    chunk = ok(api.get(f"{P}/chunks"))["items"][0]["id"]
    tag = ok(api.post(f"{P}/tags", json={"name": "Castes"}), 201)
    added = ok(api.post(f"{P}/questions", json={"text": "Who lays eggs?", "chunk_id": chunk}), 201)
    assert (added["origin"], added["chunk_id"]) == ("manual", chunk)
    changed = ok(api.patch(f"{P}/questions/{added['id']}", json={"tag_id": tag["id"]}))
    assert changed["tag"] == "Castes"
    assert ok(api.patch(f"{P}/questions/{added['id']}", json={"tag_id": None}))["tag"] is None
    page = ok(api.get(f"{P}/questions", params={"search": "eggs", "origin": "manual"}))
    assert [q["id"] for q in page["items"]] == [added["id"]] and page["total"] == 1
    assert page["next_after"] is None
    after = ok(api.get(f"{P}/questions", params={"after": added["id"], "with_total": False}))
    assert after == {"items": [], "total": None, "next_after": None}

    refused(api.post(f"{P}/questions", json={"text": ""}), 422)
    refused(api.post(f"{P}/questions", json={"text": "q?", "chunk_id": 99999}), 404)
    refused(api.patch(f"{P}/questions/{added['id']}", json={}), 422)
    refused(api.get(f"{P}/questions", params={"origin": "dreamt"}), 422)
    refused(api.post(f"{P}/questions/delete", json={"ids": [added["id"], 99999]}), 404)
    assert ok(api.get(f"{P}/questions"))["total"] == 1  # all or none
    assert ok(api.post(f"{P}/questions/delete", json={"ids": [added["id"]]})) == {"deleted": 1}


def test_qa_review(api: TestClient, fake: FakeOpenAI) -> None:
    run(api, "tags.build")
    run(api, "questions.generate")
    run(api, "answers.generate", synthesize_cot=False)
    first, second, third = (p["id"] for p in ok(api.get(f"{P}/qa"))["items"])

    detail = ok(api.get(f"{P}/qa/{first}"))
    assert detail["chunk"]["id"] == detail["chunk_id"] and detail["chunk"]["content"]
    edited = ok(api.patch(f"{P}/qa/{first}", json={"answer": "Workers forage.", "cot": "Why."}))
    assert (edited["answer"], edited["cot"]) == ("Workers forage.", "Why.")
    refused(api.patch(f"{P}/qa/{first}", json={}), 422)
    refused(api.patch(f"{P}/qa/{first}", json={"answer": "  "}), 422)

    confirmed = ok(api.post(f"{P}/qa/confirm", json={"ids": [first, second]}))
    assert [p["confirmed"] for p in confirmed] == [True, True]
    ok(api.post(f"{P}/qa/confirm", json={"ids": [second], "confirmed": False}))
    assert ok(api.get(f"{P}/qa", params={"confirmed": True}))["total"] == 1
    refused(api.post(f"{P}/qa/confirm", json={"ids": [third, 99999]}), 404)
    assert ok(api.get(f"{P}/qa/{third}"))["confirmed"] is False

    assert ok(api.put(f"{P}/qa/{first}/score", json={"score": 4}))["score"] == 4
    ok(api.put(f"{P}/qa/{second}/score", json={"score": 1.5}))
    refused(api.put(f"{P}/qa/{first}/score", json={"score": 6}), 422)
    ranged = ok(api.get(f"{P}/qa", params={"min_score": 1, "max_score": 2}))
    assert [p["id"] for p in ranged["items"]] == [second]
    assert ok(api.get(f"{P}/qa", params={"has_cot": True}))["total"] == 1
    assert ok(api.get(f"{P}/qa", params={"search": "workers FORAGE"}))["total"] == 1

    tagged = ok(api.post(f"{P}/qa/{first}/tags", json={"tags": ["check", "x"]}))
    assert tagged["user_tags"] == ["check", "x"]
    removed = ok(api.post(f"{P}/qa/{first}/tags", json={"tags": ["x"], "mode": "remove"}))
    assert removed["user_tags"] == ["check"]
    assert ok(api.get(f"{P}/qa", params={"tag": "CHECK"}))["total"] == 1
    assert ok(api.put(f"{P}/qa/{first}/note", json={"note": "cite it"}))["note"] == "cite it"

    # Previous/next within a filtered list.
    assert ok(api.get(f"{P}/qa/{second}/neighbours")) == {"previous": first, "next": third}
    unconfirmed = ok(api.get(f"{P}/qa/{second}/neighbours", params={"confirmed": False}))
    assert unconfirmed == {"previous": None, "next": third}
    newest = ok(api.get(f"{P}/qa/{second}/neighbours", params={"newest_first": True}))
    assert newest == {"previous": third, "next": first}

    calls = len(fake.stats().log)
    revised = ok(api.post(f"{P}/qa/{third}/revise", json={"advice": "shorter"}))
    assert len(fake.stats().log) == calls + 1
    assert revised["provenance"]["revisions"][-1]["advice"] == "shorter"
    refused(api.post(f"{P}/qa/{third}/revise", json={"advice": ""}), 422)
    refused(api.get(f"{P}/qa/99999"), 404, "not_found")
    refused(api.get(f"{P}/qa/0"), 422)
    refused(api.get(f"{P}/qa", params={"min_score": "lots"}), 422)
    page = ok(api.get(f"{P}/qa", params={"limit": 1, "offset": 1, "newest_first": True}))
    assert [p["id"] for p in page["items"]] == [second] and page["total"] == 3

    # Cursor paging without counting: what a client walking a million pairs does.
    seen, after = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, "with_total": False}
        if after is not None:
            params["after"] = after
        page = ok(api.get(f"{P}/qa", params=params))
        assert page["total"] is None
        seen += [p["id"] for p in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == [first, second, third]
    assert ok(api.get(f"{P}/qa/count", params={"confirmed": True})) == {"count": 1}
    refused(api.get(f"{P}/qa", params={"after": -1}), 422)


def test_personas(api: TestClient) -> None:
    assert run(api, "personas.generate", count=2)["total"] == 1
    rows = ok(api.get(f"{P}/personas"))
    assert len(rows) == 2
    file_id = rows[0]["file_id"]
    added = ok(
        api.post(
            f"{P}/personas", json={"file_id": file_id, "genre": "FAQ", "audience": "children"}
        ),
        201,
    )
    switched = ok(api.patch(f"{P}/personas/{added['id']}", json={"active": False, "genre": "Quiz"}))
    assert (switched["active"], switched["genre"]) == (False, "Quiz")
    assert len(ok(api.get(f"{P}/personas", params={"file_id": file_id}))) == 3
    refused(api.post(f"{P}/personas", json={"file_id": 999, "genre": "g", "audience": "a"}), 404)
    refused(api.post(f"{P}/personas", json={"file_id": file_id, "genre": "", "audience": "a"}), 422)
    refused(api.patch(f"{P}/personas/99999", json={"genre": "g"}), 404)


def test_question_templates(api: TestClient) -> None:
    label = ok(
        api.post(
            f"{P}/templates",
            json={"question": "Which caste?", "answer_type": "label", "labels": ["queen", "drone"]},
        ),
        201,
    )
    assert run(api, "templates.apply")["total"] == 3
    answers = {p["answer"] for p in ok(api.get(f"{P}/qa"))["items"]}
    assert answers and answers <= {"queen", "drone"}
    changed = ok(api.patch(f"{P}/templates/{label['id']}", json={"question": "Which one?"}))
    assert changed["question"] == "Which one?" and changed["labels"] == ["queen", "drone"]
    refused(api.post(f"{P}/templates", json={"question": "Q?", "answer_type": "json"}), 422)
    refused(
        api.post(f"{P}/templates", json={"question": "Q?", "answer_type": "label", "labels": []}),
        422,
    )
    assert len(ok(api.get(f"{P}/templates"))) == 1
    ok(api.delete(f"{P}/templates/{label['id']}"))
    assert ok(api.get(f"{P}/templates")) == []
    refused(api.delete(f"{P}/templates/{label['id']}"), 404)

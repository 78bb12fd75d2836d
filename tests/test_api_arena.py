"""REST: the arena.run stage, the next blind battle, votes on the order shown (a bad one
refused), the battle list blind unless revealed, and the results."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api_support import core, fresh, make_project, ok, refused, shared_server, wait_for_job
from tests.arena_support import QUESTIONS, battles
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_arena import REPLIES, cast_votes

P = "/api/projects/bees"
A = f"{P}/arena"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient, fake: FakeOpenAI) -> TestClient:
    client = fresh(server)
    make_project(client, fake.base_url)
    for name, model in (("alpha", "m-a"), ("beta", "m-b")):
        config = {"name": name, "provider": "custom", "base_url": fake.base_url, "model": model}
        ok(client.post(f"{P}/models", json={**config, "max_retries": 0}), 201)
    return client


def test_battles_from_the_stage_voted_blind(api: TestClient, fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(replies=REPLIES))
    chunk = ok(api.get(f"{P}/chunks"))["items"][0]["id"]
    for text in QUESTIONS:
        ok(api.post(f"{P}/questions", json={"text": text, "chunk_id": chunk}), 201)
    refused(api.post(f"{P}/stages/arena.run", json={"model_a": "alpha", "model_b": "alpha"}), 422)
    job = ok(api.post(f"{P}/stages/arena.run", json={"model_a": "alpha", "model_b": "beta"}), 202)
    assert wait_for_job(api, job["id"])["job"]["succeeded"] == 3

    first = ok(api.get(f"{A}/next"))
    assert first["progress"] == {"battles": 3, "voted": 0}
    battle = first["battle"]
    assert battle["prompt"] in QUESTIONS
    body = json.dumps(first)
    assert "alpha" not in body and "beta" not in body and "swapped" not in body
    answers = {battle["answer_a"], battle["answer_b"]}
    replies = {entry["reply"] for entry in REPLIES}
    assert answers <= replies and len(answers) == 2

    refused(api.put(f"{A}/battles/{battle['id']}/vote", json={"choice": "C"}), 422)
    refused(api.put(f"{A}/battles/{battle['id']}/vote", json={}), 422)
    refused(api.put(f"{A}/battles/99999/vote", json={"choice": "A"}), 404)
    voted = ok(api.put(f"{A}/battles/{battle['id']}/vote", json={"choice": "A"}))
    assert voted["vote"] == "A"
    # Model a's answer is the one m-a gave; the vote names whichever was shown as A.
    named = ok(api.get(f"{A}/battles", params={"reveal": True, "voted": True}))["items"][0]
    winner = named["answer_a"] if named["vote"] == "a" else named["answer_b"]
    assert winner == battle["answer_a"]
    assert ok(api.get(f"{A}/next", params={"after": battle["id"]}))["progress"]["voted"] == 1

    blind = ok(api.get(f"{A}/battles"))
    assert blind["total"] == 3 and "alpha" not in json.dumps(blind)
    assert ok(api.get(f"{A}/battles/{battle['id']}"))["vote"] == "A"
    assert ok(api.delete(f"{A}/battles/{battle['id']}/vote"))["vote"] is None
    assert ok(api.get(f"{A}/results"))["voted"] == 0


def test_results_of_scripted_votes(api: TestClient) -> None:
    app = core(api)
    cast_votes(app, "bees")
    found = ok(api.get(f"{A}/results"))
    pair = found["pairs"][0]
    assert (pair["model_a"], pair["model_b"], pair["wins_a"], pair["wins_b"]) == (
        "alpha",
        "beta",
        7,
        3,
    )
    assert (pair["win_rate_a"], round(pair["low"], 3), round(pair["high"], 3)) == (
        0.7,
        0.397,
        0.892,
    )
    assert [row["model"] for row in found["ranking"]] == ["alpha", "gamma", "beta"]
    assert ok(api.get(f"{A}/next"))["battle"] is None
    battles(app, "bees", [("left", "x", False)], ("alpha", "beta"))
    assert ok(api.get(f"{A}/next"))["progress"] == {"battles": 13, "voted": 12}
    refused(api.get("/api/projects/nope/arena/results"), 404)


def test_ids_past_sqlite_integers_are_refused(api: TestClient) -> None:
    # Found by the fuzz run: such an id reached the database and raised OverflowError (500).
    too_big = 2**80
    refused(api.get(f"{P}/arena/next", params={"after": too_big}), 422)
    refused(api.get(f"{P}/personas", params={"file_id": too_big}), 422)
    ok(api.get(f"{P}/personas", params={"file_id": 2**63 - 1}))

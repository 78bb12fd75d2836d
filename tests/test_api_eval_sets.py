"""The evaluation sets' REST routes: sets, items (edited, confirmed), hold-out, import
(uploaded, all or nothing) and downloads; hostile input gets 4xx, never 500."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from easy_dataset.services import projects
from tests.api_support import (
    core,
    fresh,
    make_project,
    ok,
    refused,
    shared_server,
    wait_for_job,
)
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import seed_qa_pairs

E = "/api/projects/bees/eval-sets"
CSV = "question,A,B,C,answer\nWho lays eggs?,Queen,Drone,Worker,A\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient, fake: FakeOpenAI) -> TestClient:
    client = fresh(server)
    make_project(client, fake.base_url)
    return client


def upload(api: TestClient, eval_set: str, name: str, data: bytes, **query: Any) -> Any:
    return api.post(
        f"{E}/{eval_set}/import",
        params=query,
        files=[("files", (name, data, "application/octet-stream"))],
    )


def test_sets_and_items_round_the_api(api: TestClient) -> None:
    made = ok(api.post(E, json={"name": "exam", "description": "bees"}), 201)
    refused(api.post(E, json={"name": "exam"}), 409)
    refused(api.post(E, json={"name": ""}), 422)
    item = ok(
        api.post(
            f"{E}/exam/items",
            json={
                "kind": "single_choice",
                "question": "Who lays eggs?",
                "options": ["Queen", "Drone"],
                "answer": "a",
            },
        ),
        201,
    )
    assert item["answer"] == "A"
    refused(api.post(f"{E}/exam/items", json={"kind": "single_choice", "question": "Q",
                                              "options": ["x"], "answer": "A"}), 422)  # fmt: skip
    refused(api.post(f"{E}/exam/items", json={"kind": "poem", "question": "Q", "answer": "A"}), 422)
    edited = ok(api.patch(f"{E}/exam/items/{item['id']}", json={"answer": "B", "note": "fixed"}))
    assert (edited["answer"], edited["note"]) == ("B", "fixed")
    refused(api.patch(f"{E}/exam/items/{item['id']}", json={"answer": "Z"}), 422)
    refused(api.patch(f"{E}/exam/items/{item['id']}", json={"options": "not a list"}), 422)
    confirmed = ok(api.post(f"{E}/exam/confirm", json={"ids": [item["id"]]}))
    assert confirmed[0]["confirmed"] is True
    refused(api.post(f"{E}/exam/confirm", json={"ids": [item["id"], 2**62]}), 404)
    page = ok(api.get(f"{E}/exam/items", params={"kind": "single_choice", "confirmed": True}))
    assert page["total"] == 1 and page["items"][0]["id"] == item["id"]
    refused(api.get(f"{E}/exam/items", params={"kind": "poem"}), 422)
    ok(api.post(E, json={"name": "other"}), 201)
    refused(api.get(f"{E}/other/items/{item['id']}"), 404)  # not in that set
    renamed = ok(api.patch(f"{E}/{made['id']}", json={"name": "final"}))
    assert renamed["name"] == "final" and renamed["kinds"]["single_choice"] == 1
    assert [view["name"] for view in ok(api.get(E))] == ["final", "other"]
    assert ok(api.delete(f"{E}/final/items/{item['id']}")) == {"deleted": 1}
    refused(api.get(f"{E}/nope"), 404)
    assert ok(api.delete(f"{E}/final"))["name"] == "final"


def test_import_export_and_hold_out(api: TestClient) -> None:
    refused(upload(api, "bench", "b.exe", b"x"), 422)
    bad = CSV + "What?,a,b,,E\n"
    detail = refused(upload(api, "bench", "b.csv", bad.encode()), 422)
    assert "line 3:" in detail
    refused(upload(api, "bench", "b.csv", b"\xff\xfe\x00"), 422)
    refused(api.post(f"{E}/bench/import", json={"files": []}), 415)
    assert ok(api.get(E)) == []  # nothing stored by any of them
    report = ok(upload(api, "bench", "b.csv", bad.encode(), skip_bad=True), 201)
    assert report["added"] == 1 and report["bad_lines"][0].startswith("line 3:")
    loaded = ok(
        upload(api, "bench", "more.jsonl", b'{"question": "Sting?", "answer": true}\n'), 201
    )
    assert loaded["set"]["items"] == 2

    jsonl = api.get(f"{E}/bench/export", params={"format": "jsonl"})
    assert jsonl.status_code == 200 and "bench.jsonl" in jsonl.headers["content-disposition"]
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [row["kind"] for row in rows] == ["single_choice", "true_false"]
    csv_text = ok_text(api.get(f"{E}/bench/export", params={"format": "csv"}))
    assert csv_text.startswith("kind,question,A,B,C,D,answer,tag_path")
    archive = api.get(f"{E}/bench/export", params={"format": "lm-eval"})
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "bench/bench.yaml" in names and "bench/bench.jsonl" in names
    refused(api.get(f"{E}/bench/export", params={"format": "xml"}), 422)

    app = core(api)
    pid = projects.get_project(app, "bees").id
    seed_qa_pairs(app, pid, [(f"Q{n}?", f"A{n}.") for n in range(10)])
    held = ok(api.post(f"{E}/held/hold-out", json={"fraction": 0.3, "seed": 1}))
    assert held["held_out"] == 3 and held["set"]["kinds"]["open"] == 3
    refused(api.post(f"{E}/held/hold-out", json={"fraction": 1.5}), 422)
    exported = api.post("/api/projects/bees/export", json={"options": {"format": "alpaca"}})
    assert len(exported.text.splitlines()) == 7


def ok_text(response: Any) -> str:
    assert response.status_code == 200, response.text
    return str(response.text)


def test_generate_stage_from_rest(api: TestClient) -> None:
    body = {"eval_set": "gen", "total": 5}
    job = ok(api.post("/api/projects/bees/stages/eval.generate", json=body), 202)
    assert wait_for_job(api, job["id"])["job"]["succeeded"] == 5
    assert ok(api.get(f"{E}/gen"))["items"] == 5

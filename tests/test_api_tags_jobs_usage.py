"""REST API: the tag tree by hand, the tags.build job run by the server's executor against the
fake model server (progress, failures, retry, cancel, resume), and usage with error rates."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from easy_dataset.services import stages
from tests.api_support import core, fresh, make_project, ok, refused, shared_server, wait_for_job
from tests.fake_openai import FakeOpenAI

TAGS = "/api/projects/p/tags"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient) -> TestClient:
    return fresh(server)


def _names(nodes: list[dict[str, Any]]) -> list[Any]:
    return [[n["name"], _names(n["children"])] if n["children"] else n["name"] for n in nodes]


def test_tags_by_hand(api: TestClient) -> None:
    ok(api.post("/api/projects", json={"name": "p"}), 201)
    bees = ok(api.post(TAGS, json={"name": "  Bees  ", "description": "all of them"}), 201)
    workers = ok(api.post(TAGS, json={"name": "Workers", "parent_id": bees["id"]}), 201)
    honey = ok(api.post(TAGS, json={"name": "Honey"}), 201)
    assert _names(ok(api.get(TAGS))["tree"]) == [["Bees", ["Workers"]], "Honey"]

    assert ok(api.patch(f"{TAGS}/{honey['id']}", json={"name": "Honey harvest"}))["name"] == (
        "Honey harvest"
    )
    moved = ok(api.patch(f"{TAGS}/{honey['id']}", json={"parent_id": workers["id"]}))
    assert moved["parent_id"] == workers["id"]
    both = ok(api.patch(f"{TAGS}/{honey['id']}", json={"name": "Nectar", "parent_id": None}))
    assert (both["name"], both["parent_id"]) == ("Nectar", None)
    cycle = api.patch(f"{TAGS}/{bees['id']}", json={"parent_id": workers["id"]})
    assert "under itself" in refused(cycle, 422)
    refused(api.patch(f"{TAGS}/{bees['id']}", json={}), 422)
    refused(api.patch(f"{TAGS}/{bees['id']}", json={"name": None}), 422)
    refused(api.patch(f"{TAGS}/{bees['id']}", json={"name": "  "}), 422)
    refused(api.post(TAGS, json={"name": ""}), 422)
    refused(api.post(TAGS, json={"name": "x", "parent_id": 999}), 404)
    refused(api.patch(f"{TAGS}/999", json={"name": "x"}), 404)
    refused(api.delete(f"{TAGS}/abc"), 422)

    ok(api.post("/api/projects", json={"name": "other"}), 201)
    refused(api.delete(f"/api/projects/other/tags/{bees['id']}"), 404)
    assert ok(api.delete(f"{TAGS}/{bees['id']}"))["name"] == "Bees"
    assert _names(ok(api.get(TAGS))["tree"]) == ["Nectar"]  # the subtree went with it
    refused(api.get("/api/projects/nope/tags"), 404)


def test_tags_import_and_options(api: TestClient) -> None:
    ok(api.post("/api/projects", json={"name": "p"}), 201)
    outline = "# Keeping bees\n## Hives\n## Swarms\n# Honey\n"
    tree = ok(api.post(f"{TAGS}/import", content=outline.encode()))
    assert _names(tree["tree"]) == [["Keeping bees", ["Hives", "Swarms"]], "Honey"]
    as_json = '[{"name": "蜂蜜", "children": [{"name": "采收"}]}]'
    replaced = ok(api.post(f"{TAGS}/import?replace=true", content=as_json.encode()))
    assert _names(replaced["tree"]) == [["蜂蜜", ["采收"]]]
    added = ok(api.post(f"{TAGS}/import", content=b"- Pests\n  - Mites\n"))
    assert _names(added["tree"]) == [["蜂蜜", ["采收"]], ["Pests", ["Mites"]]]
    for bad in (b"", b"   \n", b"\xff\xfe\x00", b'{"name": "x"}', b"x" * (1024 * 1024 + 1)):
        refused(api.post(f"{TAGS}/import", content=bad), 422, "invalid_input")

    assert (replaced["locked"], replaced["enabled"]) == (False, True)
    locked = ok(api.put(f"{TAGS}/options", json={"locked": True}))
    assert (locked["locked"], locked["enabled"]) == (True, True)
    off = ok(api.put(f"{TAGS}/options", json={"enabled": False}))
    assert (off["locked"], off["enabled"]) == (True, False)
    assert ok(api.get("/api/projects/p"))["generation"]["tags_enabled"] is False
    refused(api.put(f"{TAGS}/options", json={"locked": "perhaps"}), 422)


def test_build_job_runs_to_completion(api: TestClient, fake: FakeOpenAI) -> None:
    make_project(api, fake.base_url, name="p")
    started = ok(api.post(f"{TAGS}/build", json={}), 202)
    assert started["type"] == "tags.build" and started["total"] == 1
    done = wait_for_job(api, started["id"])
    assert done["job"]["status"] == "succeeded" and done["job"]["succeeded"] == 1
    assert done["failures"] == [] and done["progress"] is None
    tree = ok(api.get(TAGS))["tree"]
    assert tree and tree[0]["children"]

    # Nothing left to do: the next build plans no items.
    again = wait_for_job(api, ok(api.post(f"{TAGS}/build", json={"cache": True}), 202)["id"])
    assert again["job"]["total"] == 0
    refused(api.post(f"{TAGS}/build", json={"model": "nope"}), 404)
    refused(api.post(f"{TAGS}/build", json={"rebuild": "often"}), 422)

    jobs = ok(api.get("/api/jobs?project=p"))
    assert jobs["total"] == 2 and jobs["items"][0]["id"] == again["job"]["id"]  # newest first
    assert ok(api.get("/api/jobs?status=failed")) == {"items": [], "total": 0}
    assert ok(api.get("/api/jobs?status=succeeded&limit=1"))["total"] == 2
    refused(api.post(f"/api/jobs/{started['id']}/cancel"), 409, "conflict")
    refused(api.post(f"/api/jobs/{started['id']}/resume"), 409, "conflict")
    assert ok(api.post(f"/api/jobs/{started['id']}/retry"), 202)["moved"] == 0

    by_model = ok(api.get("/api/usage?by=model"))["items"]
    assert [row["key"] for row in by_model] == ["m"] and by_model[0]["calls"] >= 1
    assert by_model[0]["prompt_tokens"] > 0
    by_job = ok(api.get(f"/api/usage?by=job&job={started['id']}"))["items"]
    assert [row["key"] for row in by_job] == [str(started["id"])]
    assert ok(api.get("/api/usage?by=day&project=p"))["total"] == 1
    assert ok(api.get("/api/usage?since=2999-01-01T00:00:00Z"))["total"] == 0
    errors = ok(api.get("/api/usage/errors?by=project"))
    assert errors["overall"]["errors"] == 0 and errors["overall"]["error_rate"] == 0
    project = ok(api.get("/api/projects/p"))
    assert errors["items"][0]["key"] == str(project["id"])
    assert project["prompt_tokens"] == by_model[0]["prompt_tokens"]


def test_failures_are_shown_and_retried(api: TestClient, fake: FakeOpenAI) -> None:
    make_project(api, fake.base_url, name="p")
    fake.set_faults(script=["500"])
    failed = wait_for_job(api, ok(api.post(f"{TAGS}/build", json={}), 202)["id"])
    job_id = failed["job"]["id"]
    assert (failed["job"]["status"], failed["job"]["failed"]) == ("failed", 1)
    [failure] = failed["failures"]
    assert failure["kind"] and "500" in failure["message"] and failure["item_key"].startswith("p")
    assert "raw_output" in failure
    errors = ok(api.get("/api/usage/errors?by=all"))
    assert errors["overall"]["errors"] == 1 and 0 < errors["overall"]["error_rate"] <= 1
    assert sum(errors["overall"]["kinds"].values()) == 1
    assert ok(api.get("/api/jobs?status=failed"))["total"] == 1

    retried = ok(api.post(f"/api/jobs/{job_id}/retry"), 202)
    assert retried["moved"] == 1 and retried["job"]["pending"] == 1
    done = wait_for_job(api, job_id)
    assert done["job"]["status"] == "succeeded" and done["failures"] == []


def test_live_progress_and_cancel(api: TestClient, fake: FakeOpenAI) -> None:
    make_project(api, fake.base_url, name="p")
    fake.set_faults(latency=3.0)
    job_id = ok(api.post(f"{TAGS}/build", json={}), 202)["id"]
    deadline = time.monotonic() + 20
    while (state := ok(api.get(f"/api/jobs/{job_id}")))["progress"] is None:
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
    assert state["job"]["status"] == "running"
    progress = state["progress"]
    assert progress["in_flight"] in (0, 1) and progress["elapsed"] >= 0 and progress["rate"] == 0
    assert progress["eta_seconds"] is None
    assert ok(api.post(f"/api/jobs/{job_id}/cancel"))["cancel_requested"] is True
    stopped = wait_for_job(api, job_id)
    assert stopped["job"]["status"] == "cancelled" and stopped["job"]["pending"] == 1


def test_resume_and_bad_job_requests(api: TestClient, fake: FakeOpenAI) -> None:
    make_project(api, fake.base_url, name="p")
    # Planned but never handed to the executor, as a stopped server leaves it.
    job_id = stages.start_stage(core(api), "p", "tags.build")
    waiting = ok(api.get(f"/api/jobs/{job_id}"))
    assert waiting["job"]["status"] == "pending" and waiting["queued"] is False
    assert ok(api.post(f"/api/jobs/{job_id}/resume"), 202)["id"] == job_id
    assert wait_for_job(api, job_id)["job"]["status"] == "succeeded"
    assert ok(api.post("/api/jobs/resume?project=p"), 202) == {"items": [], "total": 0}

    other = stages.start_stage(core(api), "p", "tags.build", rebuild=True)
    resumed = ok(api.post("/api/jobs/resume"), 202)
    assert [job["id"] for job in resumed["items"]] == [other]
    assert wait_for_job(api, other)["job"]["status"] == "succeeded"

    refused(api.get("/api/jobs/999"), 404, "not_found")
    refused(api.post("/api/jobs/999/resume"), 404)
    refused(api.post("/api/jobs/999/cancel"), 404)
    refused(api.post("/api/jobs/999/retry"), 404)
    refused(api.get("/api/jobs/abc"), 422)
    refused(api.get("/api/jobs?status=weird"), 422, "invalid_request")
    refused(api.get("/api/jobs?project=nope"), 404)
    refused(api.post("/api/jobs/resume?project=nope"), 404)
    refused(api.get("/api/usage?by=week"), 422)
    refused(api.get("/api/usage?since=yesterday"), 422)
    refused(api.get("/api/usage?project=nope"), 404)
    refused(api.get("/api/usage/errors?job=0"), 422)

"""REST: preference pairs listed and downloaded, the judge's agreement with reviewers, and
both from the Python API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.api import Project
from easy_dataset.services import projects
from tests.api_support import core, fresh, ok, refused, shared_server
from tests.test_judge_agreement import KAPPA, RHO, _plant
from tests.test_preferences import seed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def client(server: TestClient) -> TestClient:
    return fresh(server)


def test_list_and_download(client: TestClient) -> None:
    seed(core(client))
    listed = ok(client.get("/api/projects/prefs/preferences", params={"limit": 1}))
    assert listed["total"] == 3 and listed["by_source"] == {"arena": 2, "judge": 1, "edit": 0}
    [first] = listed["pairs"]
    assert (first["source"], first["chosen"], first["chosen_by"]) == (
        "arena",
        "A answers a.",
        "m-a",
    )
    judged = ok(client.get("/api/projects/prefs/preferences?source=judge&min_margin=3"))
    assert judged["total"] == 0
    refused(client.get("/api/projects/prefs/preferences?source=votes"), 422)
    got = client.get(
        "/api/projects/prefs/preferences/export",
        params={"format": "llamafactory-sharegpt", "source": "judge"},
    )
    assert got.status_code == 200 and got.headers["x-pairs"] == "1"
    assert 'filename="prefs-llamafactory-sharegpt.jsonl"' in got.headers["content-disposition"]
    [line] = [json.loads(text) for text in got.text.splitlines()]
    assert line["chosen"] == {"from": "gpt", "value": "Colonies swarm to reproduce."}
    refused(client.get("/api/projects/nope/preferences"), 404)


def test_judge_agreement_route_and_report(client: TestClient) -> None:
    _plant(core(client), "planted")
    agreement = ok(client.get("/api/projects/planted/quality/judge-agreement"))
    assert (agreement["scores"]["rho"], agreement["pass_fail"]["kappa"]) == (RHO, KAPPA)
    assert agreement["pass_fail"]["band"] == "moderate"
    strict = ok(client.get("/api/projects/planted/quality/judge-agreement?reviewer_pass=4"))
    assert strict["pass_fail"]["both_pass"] == 3
    report = ok(client.get("/api/projects/planted/quality/report"))
    assert report["judge_agreement"] == agreement


def test_python_api(client: TestClient, tmp_path: Path) -> None:
    app = core(client)
    seed(app)
    _plant(app, "planted")
    project = Project(app, projects.get_project(app, "prefs"))
    assert [pair.source for pair in project.preference_pairs(sources=["arena"])] == [
        "arena",
        "arena",
    ]
    written = project.export_preferences(tmp_path, "llamafactory", dataset_name="bees")
    assert written.count == 3 and written.dataset_info_path == str(tmp_path / "dataset_info.json")
    planted = Project(app, projects.get_project(app, "planted"))
    assert planted.judge_agreement().pass_fail.kappa == KAPPA

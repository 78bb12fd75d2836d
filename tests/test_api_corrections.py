"""REST: the domain rules as a project setting, the self-correction stage and answers with
verified citations, their figures in the report, and citations in exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_support import fresh, make_project, ok, refused, shared_server, wait_for_job
from tests.fake_kinds.refine import HALLUCINATED
from tests.fake_openai import FakeOpenAI

P = "/api/projects/bees"
RULES = "Always say which caste of bee the answer is about."


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
    state = wait_for_job(api, job["id"])
    assert state["job"]["status"] == "succeeded", state
    return dict(state["job"])


def ask(api: TestClient, *texts: str) -> None:
    chunks = [chunk["id"] for chunk in ok(api.get(f"{P}/chunks"))["items"]]
    for text, chunk in zip(texts, chunks, strict=False):
        ok(api.post(f"{P}/questions", json={"text": text, "chunk_id": chunk}), 201)


def test_refine_by_the_domain_rules_from_rest(api: TestClient, fake: FakeOpenAI) -> None:
    changed = ok(api.patch(P, json={"generation": {"domain_rules": RULES}}))
    assert changed["generation"]["domain_rules"] == RULES
    refused(api.patch(P, json={"generation": {"domain_rules": "x" * 10_001}}), 422)
    assert ok(api.get(P))["generation"]["domain_rules"] == RULES
    ask(api, "How long do workers live?", "[stubborn] Who lays the eggs?")
    run(api, "answers.generate", synthesize_cot=False)
    pairs = ok(api.get(f"{P}/qa"))["items"]
    for pair in pairs:  # the fake's answers are plausible: plant a wrong one in each
        ok(api.patch(f"{P}/qa/{pair['id']}", json={"answer": "Drones do it. [wrong]"}))

    estimate = ok(api.post(f"{P}/stages/answers.refine/estimate", json={"max_rounds": 1}))
    assert (estimate["items"], estimate["calls"]) == (2, 2 * 3)
    refused(api.post(f"{P}/stages/answers.refine", json={"threshold": 6}), 422)
    refused(api.post(f"{P}/stages/answers.refine", json={"judge_model": "nobody"}), 404)
    job = run(api, "answers.refine", max_rounds=1)
    assert (job["total"], job["succeeded"]) == (2, 2)
    rewrites = [
        body
        for body in fake.stats().bodies()
        if any("<critique>" in str(m["content"]) for m in body["messages"])
    ]
    assert len(rewrites) == 2 and all(RULES in json.dumps(body) for body in rewrites)

    report = ok(api.get(f"{P}/quality/report"))
    assert report["refine"] == {
        "judged": 2,
        "passed": 0,
        "improved": 1,
        "stayed": 1,
        "worse": 0,
        "mean_before": 2.8,
        "mean_after": 3.6,
    }
    detail = ok(api.get(f"{P}/qa/{pairs[0]['id']}"))
    drafts = detail["provenance"]["drafts"]
    assert drafts[0]["answer"] == "Drones do it. [wrong]" and len(drafts) == 2
    kinds = {r["kind"] for r in ok(api.get(f"{P}/quality/results/{pairs[0]['id']}"))["results"]}
    assert {"judge", "refine"} <= kinds


def test_citations_from_rest_and_in_exports(api: TestClient) -> None:
    ask(api, "Who cleans the cells?", "[hallucinate] Who lays the eggs?")
    run(api, "answers.generate", citations=True, synthesize_cot=False)
    report = ok(api.get(f"{P}/quality/report"))
    assert report["citations"] == {
        "samples": 2,
        "quotes": 5,
        "verified": 4,
        "share": 0.8,
        "unverified_samples": 1,
        "without_quotes": 0,
    }
    figure = {f["name"]: f for f in report["figures"]}["verified_citations"]
    assert (figure["value"], figure["target"], figure["passed"]) == (0.8, 0.95, False)
    flagged = ok(api.get(f"{P}/qa", params={"flagged": "citations"}))["items"]
    assert [pair["question"] for pair in flagged] == ["[hallucinate] Who lays the eggs?"]

    plain = api.get(f"{P}/export").text
    assert all("citations" not in json.loads(line) for line in plain.splitlines())
    cited = api.get(f"{P}/export", params={"citations": "true", "format": "sharegpt"})
    assert cited.status_code == 200, cited.text
    quotes = [json.loads(line)["citations"] for line in cited.text.splitlines()]
    assert sorted(map(len, quotes)) == [2, 3]
    assert {"quote": HALLUCINATED, "verified": False} in [q for qs in quotes for q in qs]
    posted = api.post(f"{P}/export", json={"options": {"include_citations": True}})
    assert all(len(json.loads(line)["citations"]) for line in posted.text.splitlines())
    kept = api.get(f"{P}/export", params={"exclude_flagged": "citations"}).text.splitlines()
    assert len(kept) == 1

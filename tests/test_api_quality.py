"""REST API: quality checks started as jobs, what they flag on planted cases, the review
list and export filtering on them, the report and its targets, benchmark files, the review
sample; bad input answered 4xx with the reason, never 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from easy_dataset.store.dataset import QualityResult
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

P = "/api/projects/bees"
Q = f"{P}/quality"
S = f"{P}/stages/quality."

GOOD = "A worker bee lives about six weeks in summer and several months in winter."
PAIRS = [
    ("How long does a worker bee live?", GOOD),
    ("How long does a worker bee live ?", GOOD),  # an exact duplicate once normalised
    ("How long do worker bees live in summer?", "About six weeks in summer."),
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    ("Whom should I e-mail?", "Write to jane.doe@example.com for the hive records."),
    ("What is honey made from?", "According to the text, honey is made from nectar."),
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
]
EMAIL, COPIED, REFERS = 4, 3, 5  # indexes of the planted cases
BENCHMARK = (
    '{"question": "Who lays the eggs?", "answer": "The queen lays up to two thousand eggs'
    ' a day."}\n{"question": "What is the capital of France and why is it famous?"}\n'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient, fake: FakeOpenAI) -> TestClient:
    client = fresh(server)
    make_project(client, fake.base_url)
    return client


def seed(api: TestClient, pairs: list[tuple[str, str]] = PAIRS) -> list[int]:
    """QA pairs (with their questions) on the first chunk, as the answer job writes them."""
    return seed_qa_pairs(core(api), ok(api.get(P))["id"], pairs)


def check(api: TestClient, name: str, **options: Any) -> dict[str, Any]:
    """Run a check through the API and wait for its job to succeed."""
    job = ok(api.post(f"{S}{name}", json=options), 202)
    assert job["type"] == f"quality.{name}"
    state = wait_for_job(api, job["id"])
    assert state["job"]["status"] == "succeeded", state
    return dict(state["job"])


def qa_ids(api: TestClient, **filters: Any) -> list[int]:
    page = ok(api.get(f"{P}/qa", params=filters))
    assert page["total"] == len(page["items"])
    assert ok(api.get(f"{P}/qa/count", params=filters))["count"] == page["total"]
    return [item["id"] for item in page["items"]]


def exported(api: TestClient, **params: Any) -> list[str]:
    response = api.get(f"{P}/export", params=params)
    assert response.status_code == 200, response.text
    return [json.loads(line)["instruction"] for line in response.text.splitlines()]


def test_scans_flag_planted_cases_and_filter_the_list(api: TestClient) -> None:
    ids = seed(api)
    assert check(api, "pii")["total"] == 1  # one batch
    assert check(api, "refs")["total"] == 1
    assert qa_ids(api, flagged="pii") == [ids[EMAIL]]
    assert qa_ids(api, flagged="refs") == [ids[REFERS]]
    assert qa_ids(api, flagged=["pii", "refs"]) == [ids[EMAIL], ids[REFERS]]
    clean = qa_ids(api, not_flagged=["pii", "refs"])
    assert clean == [i for n, i in enumerate(ids) if n not in (EMAIL, REFERS)]

    found = ok(api.get(f"{Q}/results/{ids[EMAIL]}"))
    assert found["qa_id"] == ids[EMAIL]
    [pii] = found["results"]
    assert (pii["kind"], pii["flagged"]) == ("pii", True)
    assert {f["kind"] for f in pii["detail"]["findings"]} == {"email"}
    assert "jane.doe" not in json.dumps(found)  # kinds and places only
    assert ok(api.get(f"{Q}/results/{ids[0]}"))["results"] == []
    refused(api.get(f"{Q}/results/99999"), 404)

    # Export leaves flagged pairs out, as query parameters or JSON.
    assert len(exported(api)) == len(PAIRS)
    kept = exported(api, exclude_flagged=["pii", "refs"])
    assert len(kept) == len(PAIRS) - 2 and PAIRS[EMAIL][0] not in kept
    body = {"filters": {"exclude_flagged": ["pii"]}}
    response = api.post(f"{P}/export", json=body)
    assert response.status_code == 200, response.text
    assert len(response.text.splitlines()) == len(PAIRS) - 1
    refused(api.get(f"{P}/export", params={"exclude_flagged": "nonsense"}), 422)
    refused(api.post(f"{P}/export", json={"filters": {"exclude_flagged": ["x"]}}), 422)
    refused(api.get(f"{P}/qa", params={"flagged": "nonsense"}), 422)
    refused(api.get(f"{P}/qa/count", params={"not_flagged": "nonsense"}), 422)

    # Masking rewrites the pair; a re-scan then finds nothing.
    check(api, "pii", action="mask")
    assert "jane.doe" not in ok(api.get(f"{P}/qa/{ids[EMAIL]}"))["answer"]
    check(api, "pii")
    assert qa_ids(api, flagged="pii") == []


def test_dedup_clusters_and_deleting_only_when_confirmed(api: TestClient) -> None:
    ids = seed(api)
    ok(api.put(f"{P}/qa/{ids[1]}/score", json={"score": 5}))  # the better copy is kept
    check(api, "dedup", mode="exact")
    assert qa_ids(api, flagged="duplicate") == [ids[0]]
    page = ok(api.get(f"{Q}/clusters"))
    assert page["total"] == 1
    [cluster] = page["items"]
    assert cluster["keep"] == ids[1] and cluster["mode"] == "exact"
    assert [(m["id"], m["keep"]) for m in cluster["members"]] == [(ids[1], True), (ids[0], False)]
    assert ok(api.get(f"{Q}/clusters", params={"offset": 1})) == {"items": [], "total": 1}

    check(api, "dedup", target="questions", mode="minhash", threshold=0.5)
    questions = ok(api.get(f"{Q}/clusters", params={"target": "questions"}))
    assert questions["total"] == 1
    assert sorted(m["text"] for m in questions["items"][0]["members"]) == sorted(
        [PAIRS[0][0], PAIRS[1][0]]
    )

    # Nothing is deleted without confirmation.
    refused(api.delete(f"{Q}/duplicates"), 422)
    refused(api.delete(f"{Q}/duplicates", params={"confirm": False}), 422)
    refused(api.delete(f"{Q}/duplicates", params={"target": "files", "confirm": True}), 422)
    assert len(qa_ids(api)) == len(PAIRS)
    assert ok(api.delete(f"{Q}/duplicates", params={"confirm": True})) == {"deleted": 1}
    assert qa_ids(api) == ids[1:]
    refused(api.delete("/api/projects/none/quality/duplicates", params={"confirm": True}), 404)


def test_contamination_against_an_uploaded_benchmark(api: TestClient) -> None:
    ids = seed(api)
    assert "benchmark" in refused(api.post(f"{S}contamination", json={}), 422)
    assert ok(api.get(f"{Q}/benchmarks")) == []

    def upload(*files: tuple[str, bytes]) -> Any:
        return api.post(
            f"{Q}/benchmarks",
            files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        )

    refused(upload(("eval.exe", b"x")), 422)
    refused(upload(("eval.jsonl", b"{not json")), 422)
    refused(upload(("eval.txt", b"\xff\xfe bad")), 422)
    refused(upload(("eval.csv", b"yes,no\n")), 422)  # no text items
    refused(api.post(f"{Q}/benchmarks", data={"name": "x"}), 415)  # not multipart
    refused(api.post(f"{Q}/benchmarks", json={"files": []}), 415)
    fields_only = b'--B\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--B--\r\n'
    multipart = {"content-type": "multipart/form-data; boundary=B"}
    refused(api.post(f"{Q}/benchmarks", content=fields_only, headers=multipart), 422)
    no_files = b"--B--\r\n"
    refused(api.post(f"{Q}/benchmarks", content=no_files, headers=multipart), 422)
    # All or none: a bad file refuses the good one beside it.
    refused(upload(("eval.jsonl", BENCHMARK.encode()), ("bad.json", b"[")), 422)
    assert ok(api.get(f"{Q}/benchmarks")) == []

    [view] = ok(upload(("eval.jsonl", BENCHMARK.encode())), 201)
    assert (view["name"], view["items"]) == ("eval.jsonl", 3)
    assert ok(api.get(f"{Q}/benchmarks")) == [view]
    refused(api.post(f"{S}contamination", json={"benchmarks": ["nope"]}), 404)
    check(api, "contamination", n=5)
    assert qa_ids(api, flagged="contamination") == [ids[COPIED]]
    [found] = ok(api.get(f"{Q}/results/{ids[COPIED]}"))["results"]
    assert found["kind"] == "contamination" and found["score"] > 0

    refused(api.delete(f"{Q}/benchmarks/..%2F..%2Fetc%2Fpasswd"), 404)
    refused(api.delete(f"{Q}/benchmarks/{'0' * 32}.json"), 404)
    assert ok(api.delete(f"{Q}/benchmarks/{view['id']}")) == view
    assert ok(api.get(f"{Q}/benchmarks")) == []
    refused(api.get("/api/projects/none/quality/benchmarks"), 404)
    refused(upload_to(api, "/api/projects/none/quality/benchmarks"), 404)


def upload_to(api: TestClient, url: str) -> Any:
    return api.post(url, files=[("files", ("eval.jsonl", BENCHMARK.encode(), "text/plain"))])


def test_review_sample_and_error_estimate(api: TestClient) -> None:
    ids = seed(api, PAIRS * 3)
    empty = ok(api.get(f"{Q}/sample"))
    assert (empty["size"], empty["reviewed"], empty["items"]) == (0, 0, [])
    refused(api.put(f"{Q}/sample/{ids[0]}", json={"verdict": "ok"}), 404)

    check(api, "sample", fraction=0.2, seed=7)
    status = ok(api.get(f"{Q}/sample"))
    assert (status["size"], status["reviewed"], status["population"]) == (5, 0, len(ids))
    sampled = [item["qa_id"] for item in status["items"]]
    assert sampled == qa_ids(api, sampled=True) and len(sampled) == 5
    assert all(item["verdict"] is None for item in status["items"])
    assert len(qa_ids(api, sampled=False)) == len(ids) - 5

    after = ok(api.put(f"{Q}/sample/{sampled[0]}", json={"verdict": "error", "note": "wrong"}))
    assert (after["reviewed"], after["errors"]) == (1, 1)
    for qa_id in sampled[1:]:
        ok(api.put(f"{Q}/sample/{qa_id}", json={"verdict": "ok"}))
    status = ok(api.get(f"{Q}/sample"))
    assert (status["size"], status["reviewed"], status["errors"]) == (5, 5, 1)
    assert status["rate"] == pytest.approx(0.2)
    assert status["low"] < 0.2 < status["high"]
    first = status["items"][0]
    assert (first["verdict"], first["note"]) == ("error", "wrong")
    assert qa_ids(api, flagged="sample") == [sampled[0]]
    paged = ok(api.get(f"{Q}/sample", params={"limit": 2, "offset": 4}))
    assert [item["qa_id"] for item in paged["items"]] == sampled[4:]

    # Undoing a verdict.
    ok(api.put(f"{Q}/sample/{sampled[0]}", json={"verdict": None}))
    assert ok(api.get(f"{Q}/sample"))["reviewed"] == 4

    not_sampled = next(i for i in ids if i not in sampled)
    assert "not in the review sample" in refused(
        api.put(f"{Q}/sample/{not_sampled}", json={"verdict": "ok"}), 404
    )
    refused(api.put(f"{Q}/sample/{sampled[1]}", json={"verdict": "maybe"}), 422)
    refused(api.put(f"{Q}/sample/{sampled[1]}", json={}), 422)
    refused(api.put(f"{Q}/sample/{sampled[1]}", json={"verdict": "ok", "x": 1}), 422)
    refused(api.put(f"{Q}/sample/0", json={"verdict": "ok"}), 422)

    report = ok(api.get(f"{Q}/report"))
    assert report["sample"]["reviewed"] == 4
    figures = {f["name"]: f for f in report["figures"]}
    assert figures["sampled_error_rate"]["value"] == 0.0


def test_judge_scores_and_list_filters(api: TestClient, fake: FakeOpenAI) -> None:
    ids = seed(api, PAIRS[:4])
    refused(api.post(f"{S}judge", json={"model": "nobody"}), 404)
    refused(api.post(f"{S}judge", json={"weights": {"accuracy": -1}}), 422)
    refused(api.post(f"{S}judge", json={"weights": {"beauty": 1}}), 422)
    refused(api.post(f"{S}judge", json={"qa_ids": [0]}), 422)
    calls = len(fake.stats().log)
    job = check(api, "judge", qa_ids=ids[:2], weights={"accuracy": 3})
    assert (job["total"], job["succeeded"]) == (2, 2)
    assert len(fake.stats().log) == calls + 2
    # The fake model gives every criterion 4: both pass.
    assert qa_ids(api, min_judge=4) == ids[:2]
    assert qa_ids(api, max_judge=3.5) == []
    assert qa_ids(api, flagged="judge") == []
    [judged] = ok(api.get(f"{Q}/results/{ids[0]}"))["results"]
    assert judged["kind"] == "judge" and judged["score"] == 4
    assert judged["detail"]["weights"]["accuracy"] == 3
    # Judged pairs are left alone unless asked.
    assert check(api, "judge")["total"] == 2  # the two not judged yet
    assert check(api, "judge")["total"] == 0
    assert check(api, "judge", redo=True, qa_ids=[ids[0]])["total"] == 1

    # A poor score planted on one pair: the filters find it.
    with core(api).db.session() as session:
        row = session.scalar(
            select(QualityResult).where(
                QualityResult.qa_id == ids[2], QualityResult.kind == "judge"
            )
        )
        assert row is not None
        row.score, row.flagged = 1.5, True
    assert qa_ids(api, max_judge=2) == [ids[2]]
    assert qa_ids(api, flagged="judge") == [ids[2]]
    assert qa_ids(api, min_judge=2, max_judge=5) == [ids[0], ids[1], ids[3]]
    page = ok(api.get(f"{P}/qa", params={"min_judge": 2, "limit": 2, "with_total": False}))
    assert [p["id"] for p in page["items"]] == ids[:2] and page["total"] is None
    kept = exported(api, min_judge=2)
    assert len(kept) == 3 and PAIRS[2][0] not in kept
    assert len(exported(api, exclude_flagged="judge")) == 3

    refused(api.get(f"{P}/qa", params={"min_judge": 6}), 422)
    refused(api.get(f"{P}/qa", params={"max_judge": "low"}), 422)
    refused(api.get(f"{P}/qa", params={"sampled": "perhaps"}), 422)
    refused(api.get(f"{P}/export", params={"min_judge": "nan"}), 422)
    refused(api.post(f"{P}/export", content=b'{"filters": {"min_judge": NaN}}'), 422)


def test_grounding_runs_without_a_model(api: TestClient, fake: FakeOpenAI) -> None:
    ids = seed(api, PAIRS[:2])
    calls = len(fake.stats().log)
    job = check(api, "ground", qa_ids=ids[:1])
    assert job["total"] == 1 and len(fake.stats().log) == calls
    [found] = ok(api.get(f"{Q}/results/{ids[0]}"))["results"]
    assert found["kind"] == "grounding" and 0 <= found["score"] <= 1
    assert found["detail"]["sentences"]
    refused(api.post(f"{S}ground", json={"threshold": 2}), 422)


def test_report_and_settings(api: TestClient) -> None:
    seed(api)
    report = ok(api.get(f"{Q}/report"))
    assert report["qa_pairs"] == len(PAIRS) and report["project"] == "bees"
    figures = {f["name"]: f for f in report["figures"]}
    assert set(figures) >= {"duplicate_rate", "sampled_error_rate", "opening_entropy"}
    assert all(f["target"] == report["targets"][k] for k, f in _targeted(figures).items())
    assert figures["duplicate_rate"]["value"] is None  # dedup has not run

    check(api, "dedup", mode="exact")
    figures = {f["name"]: f for f in ok(api.get(f"{Q}/report"))["figures"]}
    assert figures["duplicate_rate"]["value"] == pytest.approx(1 / len(PAIRS))
    assert figures["duplicate_rate"]["passed"] is False  # 14 % against 5 %

    settings = ok(api.get(f"{Q}/settings"))
    assert settings["targets"]["duplicate_rate"] == 0.05
    changed = ok(
        api.patch(
            f"{Q}/settings",
            json={"targets": {"duplicate_rate": 0.2}, "judge_weights": {"accuracy": 3}},
        )
    )
    assert changed["targets"]["duplicate_rate"] == 0.2
    assert changed["targets"]["consistency"] == settings["targets"]["consistency"]
    assert changed["judge_weights"] == {**settings["judge_weights"], "accuracy": 3}
    assert ok(api.get(f"{Q}/settings")) == changed
    report = ok(api.get(f"{Q}/report"))
    figures = {f["name"]: f for f in report["figures"]}
    assert figures["duplicate_rate"]["target"] == 0.2 and figures["duplicate_rate"]["passed"]
    assert report["targets"]["duplicate_rate"] == 0.2

    ok(api.patch(f"{Q}/settings", json={"judge_model": "fake", "dedup_mode": "semantic"}))
    cleared = ok(api.patch(f"{Q}/settings", json={"judge_model": None}))
    assert cleared["judge_model"] is None and cleared["dedup_mode"] == "semantic"
    assert ok(api.patch(f"{Q}/settings", json={})) == cleared

    bad: list[Any] = [
        {"targets": {"duplicate_rate": 2}},
        {"targets": {"colour": 1}},
        {"targets": None},
        {"sample_fraction": 0},
        {"dedup_mode": "fuzzy"},
        {"pii_action": "shred"},
        {"contamination_ngram": 1000},
        {"judge_weights": {"accuracy": -1}},
        {"judge_weights": {"beauty": 1}},
        {"judge_weights": {"question": 0, "accuracy": 0, "relevance": 0, "consistency": 0}},
        {"votes": 1},
        {"colour": "red"},
        [1, 2],
    ]
    for body in bad:
        reason = refused(api.patch(f"{Q}/settings", json=body), 422)
        assert reason, body
    assert "duplicate_rate" in refused(
        api.patch(f"{Q}/settings", json={"targets": {"duplicate_rate": 2}}), 422
    )
    refused(api.patch(f"{Q}/settings", content=b'{"sample_fraction": NaN}'), 422)
    refused(api.patch(f"{Q}/settings", json={"judge_model": "nobody"}), 404)
    assert ok(api.get(f"{Q}/settings")) == cleared  # nothing changed
    refused(api.get("/api/projects/none/quality/report"), 404)
    refused(api.get("/api/projects/none/quality/settings"), 404)


def _targeted(figures: dict[str, Any]) -> dict[str, Any]:
    names = {
        "semantic_consistency": "consistency",
        "domain_term_ratio": "domain_terms",
        "opening_entropy": "opening_entropy",
        "duplicate_rate": "duplicate_rate",
        "sampled_error_rate": "error_rate",
    }
    return {names[name]: figure for name, figure in figures.items() if name in names}


def test_bad_check_requests(api: TestClient) -> None:
    seed(api, PAIRS[:2])
    refused(api.post(f"{S}dance", json={}), 404, "not_found")
    refused(api.post(f"{S}pii", json={"colour": 1}), 422)
    refused(api.post(f"{S}pii", json={"action": "shred"}), 422)
    refused(api.post(f"{S}pii", json=[1]), 422)
    refused(
        api.post(f"{S}pii", content=b"{not json", headers={"content-type": "application/json"}),
        422,
    )
    refused(api.post(f"{S}refs", json={"redo": True}), 422)  # scans have no redo
    refused(api.post(f"{S}dedup", json={"mode": "fuzzy"}), 422)
    refused(api.post(f"{S}dedup", json={"threshold": 0}), 422)
    refused(api.post(f"{S}dedup", json={"threshold": 1.5}), 422)
    refused(api.post(f"{S}dedup", json={"target": "files"}), 422)
    refused(api.post(f"{S}sample", json={"fraction": 2}), 422)
    refused(api.post(f"{S}sample", json={"fraction": "half"}), 422)
    refused(api.post(f"{S}sample", json={"seed": -1}), 422)
    refused(api.post(f"{S}contamination", json={"n": 1}), 422)
    refused(api.post(f"{S}ground", json={"qa_ids": "all"}), 422)
    refused(api.post(f"{S}judge", json={"concurrency": 0}), 422)
    refused(api.post("/api/projects/none/stages/quality.pii", json={}), 404)
    refused(api.get(f"{Q}/clusters", params={"target": "files"}), 422)
    refused(api.get(f"{Q}/clusters", params={"limit": 0}), 422)
    refused(api.get(f"{Q}/results/0"), 422)
    refused(api.get(f"{Q}/results/{2**63}"), 422)
    refused(api.get(f"{Q}/sample", params={"limit": 100_000}), 422)
    # A body is optional: the defaults apply.
    job = ok(api.post(f"{S}refs"), 202)
    assert wait_for_job(api, job["id"])["job"]["status"] == "succeeded"
    assert job["params"] == {}


def test_answers_stage_takes_consistency_votes(api: TestClient) -> None:
    seed(api, PAIRS[:1])  # every question answered: nothing to plan, no model called
    job = ok(api.post(f"{P}/stages/answers.generate", json={"votes": 3}), 202)
    assert job["params"]["votes"] == 3
    assert wait_for_job(api, job["id"])["job"]["status"] == "succeeded"
    refused(api.post(f"{P}/stages/answers.generate", json={"votes": 0}), 422)
    refused(api.post(f"{P}/stages/answers.generate", json={"votes": 10}), 422)
    refused(api.post(f"{P}/stages/answers.generate", json={"votes": "many"}), 422)

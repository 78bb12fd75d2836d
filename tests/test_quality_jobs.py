"""Quality checks as jobs over a real project: what each marks, flags or changes, and how
the review list and export filter on the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.export.options import ExportOptions
from easy_dataset.services import App, export, jobs, models, quality, stages
from easy_dataset.services import generation as gen
from easy_dataset.services.quality_results import results_for
from easy_dataset.store.dataset import QAPair, QualityResult
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project
from tests.test_generate_support import seed_qa_pairs as seed

GOOD = "A worker bee lives about six weeks in summer and several months in winter."
PAIRS = [
    ("How long does a worker bee live?", GOOD),
    ("How long does a worker bee live ?", GOOD),  # exact duplicate once normalised
    ("How long do worker bees live in summer?", "About six weeks in summer."),
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    ("Whom should I e-mail?", "Write to jane.doe@example.com or call +86 138 0013 8000."),
    ("What is honey made from?", "According to the text, honey is made from nectar."),
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
]


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    name = make_project(app, tmp_path, fake.base_url)
    gen.update_generation_settings(app, name, tags_enabled=False)
    return name


def flagged(app: App, project: str, kind: str) -> list[int]:
    return [qa.id for qa in gen.list_qa(app, project, flagged=[kind])]


def test_pii_flags_then_masks(app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    summary = quality.run_check(app, project, "pii")
    assert (summary.total, summary.failed) == (1, 0)  # one batch
    assert flagged(app, project, "pii") == [ids[4]]
    with app.db.session() as session:
        [found] = results_for(session, qa_id=ids[4])
        assert {f["kind"] for f in found.detail["findings"]} == {"email", "phone"}
        # Kinds and places only: the address itself is kept nowhere but in the pair.
        assert "jane.doe" not in json.dumps(found.detail)
        assert "jane.doe@example.com" in session.get(QAPair, ids[4]).answer

    quality.run_check(app, project, "pii", action="mask")
    with app.db.session() as session:
        answer = session.get(QAPair, ids[4]).answer
    assert "jane.doe" not in answer and "138" not in answer
    assert flagged(app, project, "pii") == [ids[4]]
    # Clean once masked: a re-scan clears the flag.
    quality.run_check(app, project, "pii")
    assert flagged(app, project, "pii") == []
    with pytest.raises(InputError):
        quality.run_check(app, project, "pii", action="shred")


def test_references_to_the_text(app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    quality.run_check(app, project, "refs")
    assert flagged(app, project, "refs") == [ids[5]]


def test_contamination_against_a_benchmark(app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    with pytest.raises(InputError, match="benchmark"):
        quality.run_check(app, project, "contamination")
    bench = (
        '{"question": "Who lays the eggs?", "answer": "The queen lays up to two thousand eggs'
        ' a day."}\n{"question": "What is the capital of France and why is it famous?"}\n'
    )
    view = quality.add_benchmark(app, project, "eval.jsonl", bench.encode())
    assert (view.name, view.items) == ("eval.jsonl", 3)
    quality.run_check(app, project, "contamination", n=5)
    assert flagged(app, project, "contamination") == [ids[3]]
    with pytest.raises(InputError):
        quality.add_benchmark(app, project, "eval.exe", b"x")
    with pytest.raises(InputError):
        quality.add_benchmark(app, project, "eval.jsonl", b"{not json")
    with pytest.raises(NotFoundError):
        quality.delete_benchmark(app, project, "../../etc/passwd")
    # The same name again replaces it; a batch with one bad file stores nothing.
    again = quality.add_benchmark(app, project, "eval.jsonl", bench.encode())
    assert [b.id for b in quality.list_benchmarks(app, project)] == [again.id]
    with pytest.raises(InputError):
        quality.add_benchmarks(
            app, project, [("more.txt", b"one two three four"), ("bad.csv", b"")]
        )
    assert [b.id for b in quality.list_benchmarks(app, project)] == [again.id]
    assert quality.delete_benchmark(app, project, again.id).name == "eval.jsonl"
    assert quality.list_benchmarks(app, project) == []


def test_dedup_marks_keeps_best_and_deletes_only_when_asked(app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    gen.rate_qa(app, project, ids[1], 5)  # the better-rated copy is the one kept
    quality.run_check(app, project, "dedup", mode="exact")
    assert flagged(app, project, "duplicate") == [ids[0]]
    clusters, total = quality.list_clusters(app, project)
    assert total == 1 and clusters[0].keep == ids[1]
    assert quality.count_duplicates(app, project) == (1, 1)  # one cluster, one marked
    assert [(m.id, m.keep) for m in clusters[0].members] == [(ids[1], True), (ids[0], False)]
    unflagged = gen.list_qa(app, project, not_flagged=["duplicate"])
    assert ids[0] not in [qa.id for qa in unflagged] and len(unflagged) == len(PAIRS) - 1
    # Nothing is deleted until asked.
    assert len(gen.list_qa(app, project)) == len(PAIRS)
    assert quality.delete_duplicates(app, project) == 1
    assert [qa.id for qa in gen.list_qa(app, project)] == ids[1:]
    assert quality.list_clusters(app, project) == ([], 0)
    assert quality.count_duplicates(app, project) == (0, 0)
    assert quality.delete_duplicates(app, project) == 0
    with pytest.raises(InputError):
        quality.run_check(app, project, "dedup", mode="fuzzy")


def test_dedup_questions_minhash(app: App, project: str) -> None:
    seed(app, project, PAIRS)
    quality.run_check(app, project, "dedup", target="questions", mode="minhash", threshold=0.5)
    clusters, total = quality.list_clusters(app, project, "questions")
    assert total == 1
    texts = sorted(m.text for m in clusters[0].members)
    assert texts == ["How long does a worker bee live ?", "How long does a worker bee live?"]


def test_the_project_threshold_applies_to_its_own_mode_only(app: App, project: str) -> None:
    seed(app, project, PAIRS)
    # A loose Jaccard threshold for MinHash must not become a cosine one for semantic runs.
    quality.update_quality_settings(app, project, dedup_mode="minhash", dedup_threshold=0.1)
    quality.run_check(app, project, "dedup", target="questions", mode="semantic")
    clusters, total = quality.list_clusters(app, project, "questions")
    assert total == 1 and len(clusters[0].members) < len(PAIRS)  # at 0.1 all would be one
    assert all((m.similarity or 0) >= 0.965 for m in clusters[0].members)  # the mode's default


def test_judge_scores_with_a_different_model(app: App, project: str, fake: FakeOpenAI) -> None:
    ids = seed(app, project, PAIRS[:2])
    quality.update_quality_settings(app, project, judge_weights={"accuracy": 3})
    summary = quality.run_check(app, project, "judge")
    assert (summary.total, summary.succeeded) == (2, 2)
    with app.db.session() as session:
        rows = {
            r.qa_id: r
            for r in session.scalars(select(QualityResult).where(QualityResult.kind == "judge"))
        }
        pair = session.get(QAPair, ids[0])
        assert pair.judge_notes  # the verdict
    scores = rows[ids[0]].detail["scores"]
    weights = rows[ids[0]].detail["weights"]
    assert weights["accuracy"] == 3
    expected = sum(scores[k] * weights[k] for k in scores) / sum(weights.values())
    assert rows[ids[0]].score == pytest.approx(round(expected, 2))
    # Judged pairs are not judged again unless asked.
    assert quality.run_check(app, project, "judge").total == 0
    assert quality.run_check(app, project, "judge", redo=True).total == 2
    # A judge model that does not exist is a clear error before any job exists.
    jobs_before = len(jobs.list_jobs(app, project_ref=project, limit=1000))
    with pytest.raises(NotFoundError, match="nobody"):
        quality.run_check(app, project, "judge", model="nobody", redo=True)
    assert len(jobs.list_jobs(app, project_ref=project, limit=1000)) == jobs_before
    low = gen.list_qa(app, project, min_judge=6)
    assert low == []


def test_judge_settings_that_no_longer_work_are_refused_at_plan(app: App, project: str) -> None:
    seed(app, project, PAIRS[:1])
    only_accuracy = {"question": 0, "accuracy": 1, "relevance": 0, "consistency": 0}
    quality.update_quality_settings(app, project, judge_weights=only_accuracy)
    with pytest.raises(InputError, match="judge weight"):
        quality.start_check(app, project, "judge", weights={"accuracy": 0})  # all zero merged
    quality.update_quality_settings(app, project, judge_model="fake")
    models.remove_model(app, project, "fake")
    with pytest.raises(NotFoundError, match="fake"):
        quality.start_check(app, project, "judge")
    assert jobs.list_jobs(app, project_ref=project) == []


def test_review_sample_and_error_estimate(app: App, project: str) -> None:
    ids = seed(app, project, PAIRS * 3)
    quality.run_check(app, project, "sample", fraction=0.2, seed=7)
    sampled = [qa.id for qa in gen.list_qa(app, project, sampled=True)]
    assert len(sampled) == 5  # ceil(0.2 × 21)
    assert set(sampled) <= set(ids)
    quality.review_sample_item(app, project, sampled[0], "error")
    for qa_id in sampled[1:]:
        quality.review_sample_item(app, project, qa_id, "ok")
    status = quality.sample_status(app, project)
    assert (status.size, status.reviewed, status.errors) == (5, 5, 1)
    items = quality.sample_items(app, project, limit=2)
    assert [(i.qa_id, i.verdict) for i in items] == [(sampled[0], "error"), (sampled[1], "ok")]
    assert status.rate == pytest.approx(0.2)
    assert status.low < 0.2 < status.high
    not_sampled = next(i for i in ids if i not in sampled)
    with pytest.raises(NotFoundError):
        quality.review_sample_item(app, project, not_sampled, "ok")
    assert flagged(app, project, "sample") == [sampled[0]]


def test_export_filters_on_quality(app: App, project: str, tmp_path: Path) -> None:
    ids = seed(app, project, PAIRS)
    quality.run_check(app, project, "pii")
    quality.run_check(app, project, "dedup", mode="exact")
    out = tmp_path / "out.jsonl"
    filters = export.ExportFilters(exclude_flagged=["pii", "duplicate"])
    summary = export.export_dataset(app, project, out, ExportOptions(), filters)
    assert summary.count == len(PAIRS) - 2
    exported = [json.loads(line)["instruction"] for line in out.read_text().splitlines()]
    assert PAIRS[4][0] not in exported
    with pytest.raises(ValueError):
        export.ExportFilters(exclude_flagged=["nonsense"])
    assert ids


def test_report_figures(app: App, project: str) -> None:
    seed(app, project, PAIRS)
    quality.run_check(app, project, "dedup", mode="exact")
    report = quality.build_report(app, project)
    assert report.qa_pairs == len(PAIRS)
    figures = {f.name: f for f in report.figures}
    assert figures["duplicate_rate"].value == pytest.approx(1 / len(PAIRS))
    assert figures["duplicate_rate"].passed is False  # 14 % > the 5 % target
    assert figures["semantic_consistency"].value is None  # grounding has not run
    assert figures["opening_entropy"].value is not None
    assert figures["domain_term_ratio"].value is not None
    assert sum(report.by_file.values()) == len(PAIRS)
    quality.update_quality_settings(app, project, targets={"duplicate_rate": 0.2})
    again = {f.name: f for f in quality.build_report(app, project).figures}
    assert again["duplicate_rate"].passed is True and again["duplicate_rate"].target == 0.2
    with pytest.raises(InputError):
        quality.update_quality_settings(app, project, targets={"duplicate_rate": 2})
    # Deleting the marked copies leaves no duplicate results, yet dedup has run: 0 %.
    assert quality.delete_duplicates(app, project) == 1
    cleaned = {f.name: f for f in quality.build_report(app, project).figures}
    assert cleaned["duplicate_rate"].value == 0 and cleaned["duplicate_rate"].passed is True
    assert cleaned["duplicate_rate"].basis == {"marked": 0, "total": len(PAIRS) - 1}


def test_grounding_flags_the_unsupported_sentence(app: App, project: str) -> None:
    invented = "Queens live for forty years and drive the hive to the coast every spring."
    ids = seed(app, project, [PAIRS[0], ("How long do queens live?", invented)])
    summary = quality.run_check(app, project, "ground")
    assert (summary.total, summary.succeeded) == (2, 2)
    assert flagged(app, project, "grounding") == [ids[1]]
    with app.db.session() as session:
        [good] = results_for(session, qa_id=ids[0])
        [bad] = results_for(session, qa_id=ids[1])
    assert bad.detail["unsupported"] == [invented]
    assert good.score is not None and bad.score is not None and good.score > bad.score
    assert 0 < bad.detail["similarity"] <= good.detail["similarity"] <= 1
    # Checked pairs are not checked again; their vectors are cached either way.
    assert quality.run_check(app, project, "ground").total == 0
    report = {f.name: f for f in quality.build_report(app, project).figures}
    consistency = report["semantic_consistency"]
    assert consistency.value == pytest.approx(
        (good.detail["similarity"] + bad.detail["similarity"]) / 2
    )
    assert consistency.basis["checked"] == 2


def test_consistency_voting(app: App, project: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import fake_openai

    made = fake_openai.reply_content
    answers = iter(
        [
            "Worker bees live about six weeks in summer.",
            "Honey is stored to feed the colony through the winter.",
            "The queen lays up to two thousand eggs a day.",
        ]
        + [GOOD] * 3
    )

    calls: list[str] = []

    def scripted(body: dict[str, object]) -> str:
        text = made(body)  # type: ignore[arg-type]
        if "Write the reasoning" in json.dumps(body):
            calls.append("reasoning")
            return text
        calls.append("answer")
        return next(answers) if text.startswith("Worker bees gather nectar") else text

    monkeypatch.setattr(fake_openai, "reply_content", scripted)
    question = gen.add_question(
        app, project, "How long does a worker live?", chunk_id=chunk_ids(app, project)[0]
    )
    # Three different answers: no majority, nothing kept, the failure says why.
    first = stages.run_stage(
        app, project, "answers.generate", votes=3, synthesize_cot=False, concurrency=1
    )
    assert (first.failed, gen.list_qa(app, project)) == (1, [])
    # Voting reuses no cached reply: k identical requests would share one.
    with pytest.raises(InputError, match="cache"):
        stages.start_stage(app, project, "answers.generate", votes=3, cache=True)
    # Three agreeing answers: one kept, with the agreement recorded beside it; the chain of
    # thought is synthesised for the kept answer only.
    calls.clear()
    second = stages.run_stage(app, project, "answers.generate", votes=3, concurrency=1)
    assert second.succeeded == 1
    assert calls == ["answer"] * 3 + ["reasoning"]
    [pair] = gen.list_qa(app, project)
    assert pair.answer == GOOD and pair.question == question.text
    with app.db.session() as session:
        [votes] = results_for(session, qa_id=pair.id)
    assert votes.kind == "votes" and votes.score == 1.0
    assert votes.detail["agreeing"] == votes.detail["total"] == 3


@pytest.mark.parametrize(
    ("check", "options"),
    [
        ("judge", {"weights": {"accuracy": -1}}),
        ("judge", {"weights": {"style": 2}}),
        ("judge", {"weights": {"accuracy": float("nan")}}),
        ("ground", {"threshold": 1.5}),
        ("pii", {"action": "shred"}),
        ("dedup", {"threshold": 0}),
        ("dedup", {"target": "chunks"}),
        ("sample", {"fraction": 2}),
    ],
)
def test_bad_options_are_refused_before_any_job(
    app: App, project: str, check: str, options: dict[str, object]
) -> None:
    seed(app, project, PAIRS[:1])
    with pytest.raises(InputError):
        quality.start_check(app, project, check, **options)
    with pytest.raises(InputError):
        stages.start_stage(app, project, "answers.generate", votes=12)
    assert jobs.list_jobs(app, project_ref=project) == []

"""The answers.refine stage (the self-correction loop): the judge scores each answer, one
below the threshold is rewritten from the critique and the domain rules and judged again, up
to N rounds; every draft is kept and the answer only ever gets better. From the services,
the CLI and Python (REST in test_api_corrections.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.errors import ConflictError
from easy_dataset.jobs import get_handler
from easy_dataset.services import App, generation, quality, stages
from easy_dataset.services.generation.refine_jobs import TYPE
from easy_dataset.store.dataset import QAPair, QualityResult
from easy_dataset.store.models import Job, JobItem
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project, seed_qa_pairs

RULES = "Always say which caste of bee the answer is about."
GROUNDED = "Worker bees are sterile females."  # the rewrite's first sentence (the chunk's)
PLANTED = [
    ("How long do workers live?", "Workers live for ten years. [wrong]"),
    ("[stubborn] Who cleans the cells?", "The drones clean the cells. [wrong]"),
    ("[worse] Who feeds the larvae?", "The queen feeds the larvae. [wrong]"),
    ("What do workers do?", "They clean cells and feed the larvae."),
]
IMPROVED, STAYED, WORSE, PASSED = range(4)


def _pairs(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = list(session.scalars(select(QAPair).order_by(QAPair.id)))
        session.expunge_all()
    return rows


def _result(app: App, qa_id: int, kind: str) -> QualityResult:
    with app.db.session() as session:
        row = session.scalar(
            select(QualityResult).where(QualityResult.qa_id == qa_id, QualityResult.kind == kind)
        )
        assert row is not None
        session.expunge(row)
        return row


def _refine_prompts(fake: FakeOpenAI) -> list[str]:
    """The user messages of the rewrite requests the fake model saw."""
    texts = []
    for body in fake.stats().bodies():
        user = " ".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")
        if "<critique>" in user:
            texts.append(user)
    return texts


def test_refine_improves_a_low_answer_and_keeps_every_draft(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    generation.update_generation_settings(app, "bees", domain_rules=RULES)
    ids = seed_qa_pairs(app, "bees", PLANTED)
    summary = stages.run_stage(app, "bees", TYPE)
    assert (summary.status, summary.total, summary.succeeded) == ("succeeded", 4, 4)
    pairs = _pairs(app)

    improved = pairs[IMPROVED]
    assert improved.answer.startswith(GROUNDED) and "[wrong]" not in improved.answer
    drafts = improved.provenance["drafts"]
    assert [d["round"] for d in drafts] == [0, 1]
    assert (drafts[0]["answer"], drafts[0]["score"]) == (PLANTED[IMPROVED][1], 2.8)
    assert drafts[0]["critique"] == "The answer states a fact the material does not give."
    assert drafts[0]["scores"]["accuracy"] == 1
    assert (drafts[1]["answer"], drafts[1]["score"]) == (improved.answer, 4.4)
    assert drafts[1]["prompt"] == "answer_refine" and drafts[1]["model"]
    refine = improved.provenance["refine"]
    assert (refine["outcome"], refine["before"], refine["after"], refine["kept"]) == (
        "improved",
        2.8,
        4.4,
        1,
    )
    # The judge's verdict is now the kept answer's: no longer flagged.
    judged = _result(app, improved.id, "judge")
    assert (judged.score, judged.flagged, judged.job_id) == (4.4, False, summary.job_id)
    assert improved.judge_notes == "Every claim is in the material."

    # No rewrite helps: every draft is kept, rounds stop at the maximum (2), the answer stays.
    stayed = pairs[STAYED]
    assert stayed.answer == PLANTED[STAYED][1]
    assert [d["score"] for d in stayed.provenance["drafts"]] == [2.8, 2.8, 2.8]
    assert stayed.provenance["refine"]["outcome"] == "stayed"
    assert _result(app, stayed.id, "judge").flagged is True
    worse = pairs[WORSE]
    assert worse.answer == PLANTED[WORSE][1]  # the original wins over every rewrite
    assert [d["score"] for d in worse.provenance["drafts"]] == [2.8, 1.0, 1.0]
    assert worse.provenance["refine"]["outcome"] == "worse"
    passed = pairs[PASSED]
    assert passed.answer == PLANTED[PASSED][1]
    assert [d["round"] for d in passed.provenance["drafts"]] == [0]
    assert passed.provenance["refine"]["outcome"] == "passed"

    # The domain rules reach every rewrite, with the judge's critique.
    prompts = _refine_prompts(fake)
    assert len(prompts) == 1 + 2 + 2
    assert all(RULES in text and "accuracy 1" in text for text in prompts)

    figures = quality.refine_summary(app, "bees", summary.job_id)
    assert (figures.judged, figures.passed, figures.improved, figures.stayed, figures.worse) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert (figures.mean_before, figures.mean_after) == (2.8, 3.33)
    assert quality.build_report(app, "bees").refine == figures

    # Done: a new run plans nothing; redo judges them all again, from what they are now.
    assert stages.run_stage(app, "bees", TYPE).total == 0
    again = stages.run_stage(app, "bees", TYPE, redo=True, max_rounds=1)
    assert again.total == 4
    assert quality.refine_summary(app, "bees", again.job_id).passed == 2
    assert len(_pairs(app)[STAYED].provenance["drafts"]) == 2  # one round at most now
    assert quality.refine_summary(app, "bees").judged == 4  # the latest result per pair
    assert ids == [pair.id for pair in pairs]


def test_refine_skips_confirmed_pairs_and_honours_its_scope(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    ids = seed_qa_pairs(app, "bees", PLANTED)
    generation.confirm_qa(app, "bees", [ids[0]])
    assert stages.estimate_stage(app, "bees", TYPE).items == 3
    assert stages.estimate_stage(app, "bees", TYPE, qa_ids=[ids[0], ids[1]]).items == 1
    summary = stages.run_stage(app, "bees", TYPE, qa_ids=[ids[1]], threshold=2.5)
    assert summary.total == 1
    # 2.8 is at or above this threshold: judged, not rewritten.
    assert _pairs(app)[1].provenance["refine"]["outcome"] == "passed"
    assert _refine_prompts(fake) == []
    # Without domain rules the rewrite prompt has no rules block.
    stages.run_stage(app, "bees", TYPE, qa_ids=[ids[2]], max_rounds=1)
    [prompt] = _refine_prompts(fake)
    assert "<rules>" not in prompt


def test_a_pair_edited_while_it_was_refined_keeps_the_edit(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    [qa_id] = seed_qa_pairs(app, "bees", PLANTED[:1])
    result: dict[str, Any] = {
        "qa_id": qa_id,
        "original": "what the answer was when the loop read it",
        "drafts": [],
        "best": 0,
        "outcome": "passed",
    }
    with app.db.session() as session, pytest.raises(ConflictError, match="edited or confirmed"):
        get_handler(TYPE).commit(session, Job(id=1, project_id=1), JobItem(key="a1"), result)
    assert _pairs(app)[0].answer == PLANTED[0][1]


def test_refine_with_citations_verifies_the_rewrite_quotes(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    [qa_id] = seed_qa_pairs(app, "bees", PLANTED[:1])
    stages.run_stage(app, "bees", TYPE, citations=True)
    [pair] = _pairs(app)
    citations = pair.provenance["citations"]
    assert [c["verified"] for c in citations] == [True, True]
    assert pair.provenance["drafts"][1]["citations"] == citations
    assert "citations" not in pair.provenance["drafts"][0]  # the original quoted nothing
    result = _result(app, qa_id, "citations")
    assert (result.score, result.flagged) == (1.0, False)


def test_cli_refines_and_prints_the_counts(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    assert cli("project", "set", "bees").exit_code == 1
    rules_file = tmp_path / "rules.txt"
    rules_file.write_text(RULES + "\n", encoding="utf-8")
    assert cli.json("project", "set", "bees", "--domain-rules-file", str(rules_file))[
        "domain_rules"
    ] == (RULES)
    assert f"domain rules: {RULES}" in cli("project", "show", "bees").output
    seed_qa_pairs(app, "bees", PLANTED)
    estimate = cli.json("qa", "refine", "-p", "bees", "--dry-run")
    assert (estimate["items"], estimate["calls"]) == (4, 4 * (1 + 2 * 2))
    run = cli("qa", "refine", "-p", "bees")
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    assert (
        "self-correction: 4 answers judged: 1 passed the threshold; of 3 rewritten, "
        "1 improved, 1 stayed, 1 worse (mean score 2.80 → 3.33)"
    ) in said
    again = cli.json("qa", "refine", "-p", "bees", "--redo", "--max-rounds", "1")
    assert again["refine"]["passed"] == 2 and again["refine"]["stayed"] == 1
    assert "answers.refine: nothing to do" in cli("qa", "refine", "-p", "bees").output
    report = " ".join(cli("report", "-p", "bees").output.split())
    assert "self-correction: 4 answers judged: 2 passed the threshold" in report
    refused = cli("qa", "refine", "-p", "bees", "--max-rounds", "9")
    assert refused.exit_code == 1 and "--max-rounds" in refused.output
    assert cli("project", "set", "bees", "--domain-rules", "").exit_code == 0
    assert generation.get_generation_settings(app, "bees").domain_rules == ""


def test_python_api_refines_with_its_settings(fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        make_project(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        assert project.generation_settings(domain_rules=RULES).domain_rules == RULES
        assert project.generation_settings().domain_rules == RULES
        seed_qa_pairs(workspace.app, "bees", PLANTED)
        assert project.run_stage(TYPE, max_rounds=1).succeeded == 4
        figures = project.report().refine
        assert (figures.improved, figures.stayed, figures.worse, figures.passed) == (1, 1, 1, 1)
        exported = tmp_path / "refined.jsonl"
        project.export(exported, include_provenance=True)
        first = json.loads(exported.read_text("utf-8").splitlines()[0])
        assert first["output"].startswith(GROUNDED)


def test_quotes_go_with_the_answer_they_were_given_with(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    chunk = chunk_ids(app, "bees")[0]
    for text in ("Who cleans the cells?", "Who guards the entrance?"):
        generation.add_question(app, "bees", text, chunk_id=chunk)
    stages.run_stage(app, "bees", "answers.generate", citations=True, synthesize_cot=False)
    edited, planted = _pairs(app)
    quoted = planted.provenance["citations"]
    # A hand edit: the quotes backed the answer it replaced.
    generation.edit_qa(app, "bees", edited.id, answer="The workers do.")
    assert "citations" not in _pairs(app)[0].provenance
    assert "citations" not in {r.kind for r in quality.item_results(app, "bees", edited.id)}
    # A rewrite without quotes replaces a low answer: its quotes stay with it in the drafts.
    with app.db.session() as session:
        session.get(QAPair, planted.id).answer = "The drones do. [wrong]"  # type: ignore[union-attr]
    stages.run_stage(app, "bees", TYPE, max_rounds=1, qa_ids=[planted.id])
    planted = _pairs(app)[1]
    assert planted.provenance["refine"]["outcome"] == "improved"
    assert "citations" not in planted.provenance
    assert planted.provenance["drafts"][0]["citations"] == quoted
    kinds = {result.kind for result in quality.item_results(app, "bees", planted.id)}
    assert "citations" not in kinds and "refine" in kinds

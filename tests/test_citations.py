"""Verified citations: answers that quote their chunk, each quote checked (exactly after
whitespace is normalised, or near-exactly), the share verified as a quality figure, and the
citations in exports; from the CLI and Python (REST in test_api_corrections.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError
from easy_dataset.export import ExportOptions
from easy_dataset.quality.citations import NEAR_RATIO, verified_share, verify_quote, verify_quotes
from easy_dataset.services import App, generation, quality
from easy_dataset.store.dataset import QAPair
from tests.conftest import Cli
from tests.fake_kinds.refine import HALLUCINATED
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import BEES, chunk_ids, make_project

WORKERS = "Worker bees are sterile females."
QUESTIONS = (
    "How long does a worker live?",
    "[hallucinate] Who lays the eggs?",
    "[near] What do foragers carry home?",
)


def test_a_quote_is_verified_exactly_after_whitespace_is_normalised() -> None:
    quote = "They clean cells, feed the larvae,   build wax comb, guard the entrance"
    check = verify_quote(quote, BEES)  # the chunk breaks this sentence across two lines
    assert (check.verified, check.ratio, check.match) == (True, 1.0, "exact")
    assert verify_quote(f"  {WORKERS}\n", BEES).match == "exact"


def test_a_near_exact_quote_is_verified_with_its_ratio() -> None:
    check = verify_quote("Workar bees are sterile females.", BEES)
    assert check.verified and check.match == "near"
    assert NEAR_RATIO <= check.ratio < 1.0
    # The same closeness in a short quote proves nothing: it must match exactly.
    short = verify_quote("Workar bees", BEES)
    assert not short.verified and short.ratio >= NEAR_RATIO and short.match == "none"


def test_a_hallucinated_or_oversized_quote_is_rejected() -> None:
    invented = verify_quote(HALLUCINATED, BEES)
    assert not invented.verified and invented.ratio < NEAR_RATIO and invented.match == "none"
    # A quote that holds the whole chunk and more is not "in" the chunk.
    assert not verify_quote(f"{WORKERS} And they sing at night.", WORKERS).verified
    assert not verify_quote("   ", BEES).verified


def test_quotes_are_checked_once_each_and_shared() -> None:
    checks = verify_quotes([WORKERS, "", WORKERS, HALLUCINATED], BEES)
    assert [check.quote for check in checks] == [WORKERS, HALLUCINATED]
    assert verified_share(checks) == 0.5
    assert verified_share([]) is None


def _ask(app: App, project: str) -> dict[str, int]:
    """The planted questions, one per chunk; their ids by text."""
    chunks = chunk_ids(app, project)
    return {
        text: generation.add_question(app, project, text, chunk_id=chunk).id
        for text, chunk in zip(QUESTIONS, chunks, strict=True)
    }


def _pairs(app: App) -> dict[str, QAPair]:
    with app.db.session() as session:
        rows = session.query(QAPair).all()
        session.expunge_all()
    return {row.question: row for row in rows}


def test_cli_answers_with_citations_and_reports_the_verified_share(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    _ask(app, "bees")
    run = cli("questions", "answer", "-p", "bees", "--citations", "--no-cot")
    assert run.exit_code == 0, run.output
    # 2 quotes per answer, exact but for the near one, plus the planted invention: 6 of 7.
    assert "citations: 6 of 7 quotes verified (85.7%); 1 of 3 answers with an unverified" in (
        " ".join(run.output.split())
    )
    pairs = _pairs(app)
    plain = pairs[QUESTIONS[0]].provenance["citations"]
    assert [(c["verified"], c["match"], c["ratio"]) for c in plain] == [(True, "exact", 1.0)] * 2
    # The answer rests on the quotes it gives: both are sentences of the chunk.
    assert pairs[QUESTIONS[0]].answer.startswith(WORKERS)
    invented = pairs[QUESTIONS[1]].provenance["citations"]
    assert invented[-1]["quote"] == HALLUCINATED and not invented[-1]["verified"]
    assert all(c["verified"] for c in invented[:-1])
    near = pairs[QUESTIONS[2]].provenance["citations"][0]
    assert near["verified"] and near["match"] == "near" and NEAR_RATIO <= near["ratio"] < 1

    flagged = cli.json("qa", "list", "-p", "bees", "--flagged", "citations")
    assert [row["question"] for row in flagged] == [QUESTIONS[1]]
    [result] = [
        r
        for r in cli.json("quality", "results", "-p", "bees", str(pairs[QUESTIONS[1]].id))
        if r["kind"] == "citations"
    ]
    assert result["flagged"] and result["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["detail"]["unverified"] == [HALLUCINATED]

    report = cli.json("report", "-p", "bees")
    figure = {f["name"]: f for f in report["figures"]}["verified_citations"]
    assert figure["value"] == pytest.approx(6 / 7, abs=1e-4) and figure["passed"] is False
    assert figure["basis"] == {"quotes": 7, "verified": 6, "samples": 3, "unverified_samples": 1}
    assert report["citations"]["unverified_samples"] == 1
    shown = " ".join(cli("report", "-p", "bees").output.split())
    assert "verified_citations" in shown and "citations: 6 of 7 quotes verified" in shown
    # Pairs with an unverified quote can be left out of an export.
    kept = tmp_path / "kept.jsonl"
    cli("export", "-p", "bees", "-o", str(kept), "--exclude-flagged", "citations")
    assert len(kept.read_text("utf-8").splitlines()) == 2


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_exports_carry_citations_only_when_asked(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    _ask(app, "bees")
    assert cli.json("questions", "answer", "-p", "bees", "--citations")["succeeded"] == 3
    generation.add_question(app, "bees", "Why is honey sealed?", chunk_id=chunk_ids(app, "bees")[2])
    assert cli.json("questions", "answer", "-p", "bees")["succeeded"] == 1  # no quotes

    plain = tmp_path / "plain.jsonl"
    cli("export", "-p", "bees", "-o", str(plain))
    assert all("citations" not in record for record in _records(plain))
    for format_ in ("alpaca", "sharegpt", "messages"):
        cited = tmp_path / f"{format_}.jsonl"
        out = cli("export", "-p", "bees", "-o", str(cited), "--format", format_, "--citations")
        assert out.exit_code == 0, out.output
        quoted = [record["citations"] for record in _records(cited)]
        assert sorted(map(len, quoted)) == [0, 2, 2, 3]  # the pair answered without: []
        every = [citation for citations in quoted for citation in citations]
        assert {"quote": HALLUCINATED, "verified": False} in every
        assert {"quote": WORKERS, "verified": True} in every
        assert sum(citation["verified"] for citation in every) == 6
    custom = cli(
        "export", "-p", "bees", "-o", str(tmp_path / "c.jsonl"), "--format", "custom",
        "--field", "question=q", "--field", "answer=citations", "--citations",
    )  # fmt: skip
    assert custom.exit_code == 1 and "'citations' is taken" in custom.output
    with pytest.raises(InputError, match="'citations' is taken"):
        ExportOptions(
            format="custom",
            field_map={"question": "q", "answer": "citations"},
            include_citations=True,
        )


def test_python_api_answers_with_citations_and_exports_them(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    with Workspace(tmp_path / "home") as workspace:
        make_project(workspace.app, tmp_path, fake.base_url)
        _ask(workspace.app, "bees")
        project = workspace.project("bees")
        assert project.estimate("answers.generate", citations=True).calls == 6
        assert project.run_stage("answers.generate", citations=True).succeeded == 3
        figures = project.report().citations
        assert (figures.quotes, figures.verified, figures.unverified_samples) == (7, 6, 1)
        assert quality.citation_summary(workspace.app, "bees").share == pytest.approx(0.8571)
        out = tmp_path / "cited.jsonl"
        assert project.export(out, include_citations=True).count == 3
        assert sorted(len(record["citations"]) for record in _records(out)) == [2, 2, 3]

"""Unanswerable questions: the share asked of each chunk, refusals that must decline and
claim nothing the chunk lacks, and the mark that exports and the review list filter on,
from the CLI, REST and Python."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from starlette.datastructures import QueryParams

from easy_dataset.api import Workspace
from easy_dataset.export import ExportOptions
from easy_dataset.generate.unanswerable import generate_unanswerable, share_quota
from easy_dataset.quality.embedding import E5Embedder
from easy_dataset.quality.refusal import check_refusal, declines
from easy_dataset.server.app import create_app
from easy_dataset.server.ui.export_form import ExportForm, export_url
from easy_dataset.server.ui.qa_filters import ReviewFilters
from easy_dataset.services import App, projects, quality, stages
from easy_dataset.services import generation as gen
from easy_dataset.services.export import ExportFilters, count_export
from easy_dataset.services.quality_results import results_for
from easy_dataset.store.dataset import QAPair, Question
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import StubClient, chunk_ids, make_project

WORKERS = (
    "Worker bees are sterile females. They clean cells, feed the larvae, build wax comb and "
    "guard the entrance. A worker lives about six weeks in summer and several months in winter."
)
QUESTION = "Who first described the division of labour among worker bees, and when?"


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return E5Embedder()


# -- how many ---------------------------------------------------------------------------------


def test_share_quota_spreads_the_share_over_chunks() -> None:
    # 27 answerable questions at 10 %: 3 unanswerable make 3 of 30, one per chunk.
    assert share_quota([9, 9, 9], [0, 0, 0], 0.1) == [1, 1, 1]
    # A tenth of a question's worth per chunk: one every ten chunks, half up.
    assert share_quota([1] * 18, [0] * 18, 0.1) == [0] * 4 + [1] + [0] * 8 + [1] + [0] * 4
    # What exists counts: only what is missing is asked, never more than the total.
    assert share_quota([9, 9, 9], [1, 0, 0], 0.1) == [0, 1, 1]
    assert share_quota([9, 9, 9], [3, 0, 0], 0.1) == [0, 0, 0]
    assert share_quota([9, 9], [0, 0], 0.5) == [9, 9]
    with pytest.raises(ValueError):
        share_quota([1], [0], 1.0)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "refuses"),
    [
        ("I can't tell you who first described it.", True),
        ("That is not something I have information on.", True),
        ("The year it was first recorded is unknown.", True),
        ("Nothing I know covers the cost of a hive.", True),
        ("我无法告诉你是谁最先描述了工蜂的分工。", True),
        ("关于蜂箱的价格，我没有相关信息。", True),
        ("Worker bees are sterile females.", False),
        ("A worker lives about six weeks in summer.", False),
        ("工蜂是不育的雌蜂。", False),
    ],
)
def test_declining_sentences(sentence: str, refuses: bool) -> None:
    assert declines(sentence) is refuses


def test_a_refusal_passes_and_an_invented_answer_is_flagged(embedder: E5Embedder) -> None:
    refusal = (
        "Worker bees clean cells, feed the larvae, build wax comb and guard the entrance. "
        "I can't tell you who first described that division of labour or when: that is not "
        "something I have information on."
    )
    good = check_refusal(refusal, WORKERS, QUESTION, embedder.embed)
    assert good.declines and not good.flagged
    assert good.declining == (False, True)

    invented = "Karl von Frisch first described it in 1923, after watching hives in Munich."
    bad = check_refusal(invented, WORKERS, QUESTION, embedder.embed)
    assert not bad.declines and bad.flagged

    # Declining, yet answering anyway with a figure from nowhere.
    hedged = "I can't say for certain, but it was first described in 1923."
    sneaky = check_refusal(hedged, WORKERS, QUESTION, embedder.embed)
    assert sneaky.declines and sneaky.flagged
    # Declining, then adding a fact the chunk lacks.
    padded = f"{refusal} Workers also make royal jelly from clover honey."
    assert check_refusal(padded, WORKERS, QUESTION, embedder.embed).flagged
    # A number taken from the question is no invention.
    dated = "I have no information on what happened in 1923."
    assert not check_refusal(dated, WORKERS, "What happened in 1923?", embedder.embed).flagged


def test_answers_that_do_not_decline_are_dropped() -> None:
    reply = {
        "questions": [
            {"question": "What does a colony cost to buy?", "answer": "About two hundred euros."},
            {
                "question": "How much notice must a tenant give?",  # already asked
                "answer": "I can't tell you that: I have no information on it.",
            },
            {
                "question": "Which flowers give the darkest honey?",
                "answer": "Honey is made from nectar. I can't tell you which flowers give the "
                "darkest honey.",
            },
        ]
    }
    client = StubClient(json.dumps(reply))
    result = asyncio.run(
        generate_unanswerable(
            client,
            chunk="Honey is made from nectar.",
            count=2,
            language="en",
            asked=["How much notice must a tenant give?"],
        )
    )
    assert [item.question for item in result.items] == ["Which flowers give the darkest honey?"]
    assert result.dropped == 2
    assert "- How much notice must a tenant give?" in client.prompt_of(0)


# -- the stage, the mark, export and review ---------------------------------------------------


def _seed_questions(app: App, project: str, per_chunk: dict[int, int]) -> None:
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        for chunk_id, count in per_chunk.items():
            session.add_all(
                Question(project_id=pid, chunk_id=chunk_id, text=f"Question {i} of {chunk_id}?")
                for i in range(count)
            )


def _unanswerable(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = [
            row
            for row in session.scalars(select(QAPair).order_by(QAPair.id))
            if row.provenance.get("unanswerable") is True
        ]
        session.expunge_all()
        return rows


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_cli_adds_the_share_marks_it_and_exports_keep_drop_only(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    first, second, third = chunk_ids(app, "bees")
    # Two chunks have 9 questions each; the third has none yet: 9 are expected of it.
    _seed_questions(app, "bees", {first: 9, second: 9})
    gen.update_generation_settings(app, "bees", exact_questions=9)
    done = cli.json("questions", "unanswerable", "-p", "bees")
    assert (done["status"], done["total"], done["succeeded"]) == ("succeeded", 3, 3)
    made = _unanswerable(app)
    assert sorted(row.chunk_id for row in made) == [first, second, third]  # 3 of 30: 10 %
    with app.db.session() as session:
        asked = list(session.scalars(select(Question).where(Question.origin == "unanswerable")))
    assert len(asked) == 3 and all(q.provenance["unanswerable"] is True for q in asked)
    assert all(row.question_id in {q.id for q in asked} for row in made)
    # Enough already; answers.generate leaves them to their stage (it answers only the 18
    # seeded questions).
    assert cli.json("questions", "unanswerable", "-p", "bees")["total"] == 0
    assert stages.estimate_stage(app, "bees", "answers.generate").items == 18
    # A sample deleted is asked again; its question, now unanswered, is not re-answered.
    with app.db.session() as session:
        session.execute(delete(QAPair).where(QAPair.id == made[0].id))
    assert cli.json("questions", "unanswerable", "-p", "bees")["total"] == 1
    assert stages.estimate_stage(app, "bees", "answers.generate").items == 18
    made = _unanswerable(app)
    assert len(made) == 3

    # Grounding verifies the refusals: the fake's pass; an invented answer is flagged.
    invented = "It was first described in 1852 by Lorenzo Langstroth in Philadelphia."
    gen.edit_qa(app, "bees", made[0].id, answer=invented)
    quality.run_check(app, "bees", "ground")
    flagged = {qa.id for qa in gen.list_qa(app, "bees", flagged=["grounding"])}
    assert flagged == {made[0].id}
    with app.db.session() as session:
        [bad] = results_for(session, qa_id=made[0].id)
        [good] = results_for(session, qa_id=made[1].id)
    assert bad.detail["unanswerable"] is True and bad.detail["declines"] is False
    assert good.detail["declines"] is True and not good.detail["unsupported"]
    shown = cli("quality", "results", str(made[0].id), "-p", "bees")
    assert "does not decline" in " ".join(shown.output.split())

    # Two ordinary samples beside them.
    with app.db.session() as session:
        session.add_all(
            QAPair(project_id=made[0].project_id, chunk_id=first, question=q, answer=a)
            for q, a in [("Who lays eggs?", "The queen."), ("What do workers do?", "Work.")]
        )
    out = tmp_path / "all.jsonl"
    assert cli("export", "-p", "bees", "-o", str(out)).exit_code == 0
    marked = [row for row in _lines(out) if row.get("unanswerable") is True]
    assert len(marked) == 3 and all("unanswerable" not in row for row in _lines(out)[3:])
    counts = {}
    for choice in ("keep", "drop", "only"):
        path = tmp_path / f"{choice}.jsonl"
        result = cli("export", "-p", "bees", "-o", str(path), "--unanswerable", choice)
        assert result.exit_code == 0, result.output
        counts[choice] = len(_lines(path))
    assert counts == {"keep": 5, "drop": 2, "only": 3}
    assert all(row["unanswerable"] is True for row in _lines(tmp_path / "only.jsonl"))
    bad_choice = cli("export", "-p", "bees", "-o", str(tmp_path / "x.jsonl"), "--unanswerable", "x")
    assert bad_choice.exit_code != 0
    for name, marks in (("sharegpt", True), ("reasoning", True), ("messages", False)):
        path = tmp_path / f"{name}.jsonl"
        cli("export", "-p", "bees", "-o", str(path), "--format", name, "--unanswerable", "only")
        assert all((row.get("unanswerable") is True) is marks for row in _lines(path))

    # The review list filters them, like a kind.
    listed = cli.json("qa", "list", "-p", "bees", "--unanswerable")
    assert {row["id"] for row in listed} == {row.id for row in made}
    assert len(cli.json("qa", "list", "-p", "bees", "--answerable")) == 2
    assert gen.count_qa(app, "bees", unanswerable=True, flagged=["grounding"]) == 1


def test_python_api_rest_filters_and_the_export_form(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    gen.update_generation_settings(app, "bees", exact_questions=3)
    with Workspace(app.settings.home) as workspace:  # the Python API
        summary = workspace.project("bees").run_stage("questions.unanswerable", share=0.25)
    assert (summary.total, summary.succeeded) == (3, 3)  # 9 expected, 3 of 12 is 25 %
    pid = projects.get_project(app, "bees").id
    with app.db.session() as session:
        session.add(QAPair(project_id=pid, question="Who lays eggs?", answer="The queen."))
    api = TestClient(create_app(app.settings, run_jobs=False), base_url="http://127.0.0.1")
    url = "/api/projects/bees/export"
    for choice, expected in (("keep", 4), ("drop", 1), ("only", 3)):
        got = api.get(url, params={"unanswerable": choice})
        assert got.status_code == 200, got.text
        assert len(got.text.splitlines()) == expected
        body = {"filters": {"unanswerable": choice}, "options": {"format": "sharegpt"}}
        posted = api.post(url, json=body)
        assert len(posted.text.splitlines()) == expected
    assert api.get(url, params={"unanswerable": "maybe"}).status_code == 422
    only = api.get(url, params={"unanswerable": "only"}).text.splitlines()
    assert all(json.loads(line)["unanswerable"] is True for line in only)
    page = api.get("/api/projects/bees/qa", params={"unanswerable": "true"}).json()
    assert page["total"] == 3
    assert api.get("/api/projects/bees/qa/count", params={"unanswerable": "false"}).json() == {
        "count": 1
    }
    # Over REST the stage's share is checked by its Params.
    stage_url = "/api/projects/bees/stages/questions.unanswerable"
    assert api.post(stage_url, json={"share": 0.9}).status_code == 422
    # The web forms keep the choice in the address and send it to the download.
    form = ExportForm(unanswerable="drop")
    assert ExportForm.from_query(QueryParams(form.query().lstrip("?"))).unanswerable == "drop"
    assert ExportForm.from_query(QueryParams("unanswerable=maybe")).unanswerable == "keep"
    filters = ExportFilters(unanswerable="only")
    assert "unanswerable=only" in export_url(pid, ExportOptions(), filters)
    assert "unanswerable" not in export_url(pid, ExportOptions(), ExportFilters())
    assert count_export(app, "bees", filters) == 3
    review = ReviewFilters.from_query({"unans": "yes"})
    assert review.service() == {"unanswerable": True}
    assert ReviewFilters.from_query(dict(QueryParams(review.query()))) == review
    assert gen.count_qa(app, "bees", **review.service()) == 3

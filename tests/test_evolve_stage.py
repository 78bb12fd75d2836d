"""Evol-Instruct (questions.evolve) against the fake model: the elimination rules (no change,
copied prompt words, an answer that fails), the parent link of evolved questions and their
samples, from the CLI, REST and Python, and the export of an evolved sample.

The fake (tests/fake_kinds/evolve.py) adds one sentence per in-depth method and writes a new
question in breadth; a question marked "[same]" comes back unchanged, one marked "[copy]"
comes back as "#Rewritten Prompt#: …".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.generate.evolve import (
    METHODS,
    adds_nothing,
    answer_fails,
    choose_method,
    copies_prompt_words,
    eliminated,
)
from easy_dataset.server.app import create_app
from easy_dataset.server.ui.question_dialogs import meta
from easy_dataset.services import App, generation, jobs, stages, tags
from easy_dataset.store.dataset import QAPair, Question
from tests.conftest import Cli
from tests.fake_kinds.evolve import ADDED
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_generate_support import chunk_ids, make_project

STAGE = "questions.evolve"
CONSTRAINT = ADDED["Add one more constraint"]


def _questions(app: App) -> list[Question]:
    with app.db.session() as session:
        rows = list(session.scalars(select(Question).order_by(Question.id)))
        session.expunge_all()
        return rows


def _pairs(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = list(session.scalars(select(QAPair).order_by(QAPair.id)))
        session.expunge_all()
        return rows


def test_elimination_rules() -> None:
    parent = "How do worker bees cool the hive in summer?"
    assert adds_nothing(parent, "how do worker bees cool the hive in summer")
    assert adds_nothing(parent, "  ")
    # One word more: 2*9/19 = 0.947, no information gained.
    assert adds_nothing(parent, "How do worker bees cool the whole hive in summer?")
    assert not adds_nothing(parent, f"{parent} {CONSTRAINT}")
    assert not adds_nothing(parent, "How do worker bees cool the whole hive in summer?", 0.95)
    for copied in (
        "#Rewritten Prompt#: How do bees cool the hive?",
        "#The Given Prompt# asks how bees cool the hive.",
        "Here is the rewritten prompt: how do bees cool the hive?",
        "改写后的提示：蜜蜂如何给蜂巢降温？",
    ):
        assert copies_prompt_words(copied), copied
    assert not copies_prompt_words("Which prompt signals tell a colony to swarm?")
    assert eliminated(parent, f"#Rewritten Prompt#: {parent}") == "copied_prompt"
    assert eliminated(parent, parent) == "no_change"
    assert eliminated(parent, f"{parent} {CONSTRAINT}") is None
    assert answer_fails("")
    assert answer_fails("I am sorry, but I cannot answer that in the requested format.")
    assert answer_fails("抱歉，我无法回答这个问题。")
    assert answer_fails("Yes, it is.")  # stop words only
    assert not answer_fails("Bees fan their wings to move air through the hive.")
    long_apology = "Sorry for the detail: " + "bees fan their wings and carry water. " * 20
    assert not answer_fails(long_apology)  # a long answer that says sorry still answers
    assert choose_method(METHODS, 0, 7) == choose_method(METHODS, 0, 7)
    drawn = {choose_method(METHODS, seed, 7) for seed in range(30)}
    assert drawn == set(METHODS)
    assert choose_method(["breadth"], 3, 7) == "breadth"


def _setup(app: App, tmp_path: Path, base_url: str) -> dict[str, int]:
    make_project(app, tmp_path, base_url)
    chunk = chunk_ids(app, "bees")[0]
    tag = tags.add_tag(app, "bees", "Hive life").id
    add = generation.add_question
    cooling = "How do worker bees cool the hive in summer?"
    return {
        "kept": add(app, "bees", cooling, chunk_id=chunk, tag_id=tag).id,
        "same": add(app, "bees", "What does the queen do? [same]", chunk_id=chunk).id,
        "copy": add(app, "bees", "Why do bees make wax? [copy]", chunk_id=chunk).id,
        "open": add(app, "bees", "How long do drones usually live?").id,
    }  # fmt: skip


def test_cli_evolves_eliminates_and_links_children_to_parents(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    ids = _setup(app, tmp_path, fake.base_url)
    done = cli.json("questions", "evolve", "-p", "bees", "--method", "constraints", "--json")
    assert done["status"] == "succeeded" and done["total"] == 4
    assert done["summary"]["rows"] == [
        {
            "method": "constraints", "evolved": 4, "no_change": 1, "copied_prompt": 1,
            "answer_failed": 0, "kept": 2,
        }
    ]  # fmt: skip
    eliminated_items = {
        item["question_id"]: item for item in done["summary"]["details"]["eliminated"]
    }
    assert eliminated_items[ids["same"]]["reason"] == "no_change"
    assert eliminated_items[ids["copy"]]["reason"] == "copied_prompt"
    assert eliminated_items[ids["copy"]]["evolved"].startswith("#Rewritten Prompt#")

    parents = {row.id: row for row in _questions(app)}
    children = [row for row in parents.values() if row.provenance.get("parent_question_id")]
    assert sorted(child.provenance["parent_question_id"] for child in children) == sorted(
        [ids["kept"], ids["open"]]
    )
    for child in children:
        parent = parents[child.provenance["parent_question_id"]]
        assert child.text == f"{parent.text} {CONSTRAINT}"
        assert (child.chunk_id, child.tag_id, child.origin) == (
            parent.chunk_id, parent.tag_id, parent.origin,
        )  # fmt: skip
        assert child.provenance["evolution"] == "constraints"
        assert child.provenance["generation"] == 1
        assert child.provenance["source"] == "evol-instruct"
        assert child.provenance["prompt"] == "evolve_depth"
    # Each kept one was answered in the same item: a sample linked the same way.
    pairs = _pairs(app)
    assert sorted(pair.question_id for pair in pairs) == sorted(child.id for child in children)
    for pair in pairs:
        assert pair.provenance["parent_question_id"] in (ids["kept"], ids["open"])
        assert pair.provenance["evolution"] == "constraints" and pair.answer
        assert pair.provenance["context"] == ("none" if pair.chunk_id is None else "chunk")

    listed = cli("questions", "list", "-p", "bees")
    assert "evolved from" in listed.output and f"#{ids['kept']}" in listed.output
    api = TestClient(
        create_app(Settings.load(home=cli.home), run_jobs=False), base_url="http://127.0.0.1"
    )
    items = api.get("/api/projects/bees/questions").json()["items"]
    linked = {item["id"]: item["parent_question_id"] for item in items}
    assert {linked[child.id] for child in children} == {ids["kept"], ids["open"]}
    assert linked[ids["kept"]] is None
    evolution = {item["id"]: item["evolution"] for item in items}
    assert {evolution[child.id] for child in children} == {"constraints"}

    # The next run evolves only the children: generation 2, linked to them.
    again = cli.json("questions", "evolve", "-p", "bees", "--method", "reasoning", "--json")
    assert again["total"] == 2 and again["summary"]["totals"]["kept"] == 2
    grandchildren = [row for row in _questions(app) if row.provenance.get("generation") == 2]
    assert sorted(row.provenance["parent_question_id"] for row in grandchildren) == sorted(
        child.id for child in children
    )
    assert (
        cli.json("questions", "evolve", "-p", "bees", "--question", str(ids["kept"]), "--json")[
            "total"
        ]
        == 0
    )  # done already


def test_a_failing_answer_eliminates_the_evolution(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    ids = _setup(app, tmp_path, fake.base_url)
    # The evolution is written, then the answer to it is a short apology.
    fake.set_faults(Faults(script=["ok", "malformed"]))
    done = stages.run_stage(app, "bees", STAGE, question_ids=[ids["kept"]], methods=["breadth"])
    assert (done.status, done.succeeded) == ("succeeded", 1)
    summary = summary_of(app, done.job_id)
    assert summary["rows"] == [
        {
            "method": "breadth", "evolved": 1, "no_change": 0, "copied_prompt": 0,
            "answer_failed": 1, "kept": 0,
        }
    ]  # fmt: skip
    assert summary["details"]["eliminated"][0]["reason"] == "answer_failed"
    assert len(_questions(app)) == 4 and not _pairs(app)


def test_without_answers_the_evolved_question_waits_for_answers_generate(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    with Workspace(tmp_path / "home") as workspace:
        ids = _setup(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        fake.reset()
        done = project.run_stage(STAGE, question_ids=[ids["kept"], ids["open"]], answer=False)
        assert done.succeeded == 2 and fake.stats().total == 2  # one call each, no answer
        children = [q for q in project.questions() if q.parent_question_id is not None]
        assert {q.parent_question_id for q in children} == {ids["kept"], ids["open"]}
        assert not any(q.answered for q in children)
        # The questions screen says where each came from.
        for child in children:
            assert f"evolved from #{child.parent_question_id} ({child.evolution})" in meta(child)
        # The method of each is the seeded draw for its question.
        assert {q.parent_question_id: q.evolution for q in children} == {
            question_id: choose_method(METHODS, 0, question_id)
            for question_id in (ids["kept"], ids["open"])
        }
        answered = project.run_stage("answers.generate", question_ids=[q.id for q in children])
        assert answered.succeeded == 2
        estimate = project.estimate(STAGE)
        # Left: the two marked questions and the two children (2 calls each with answers, 1
        # for the reasoning).
        assert (estimate.items, estimate.calls) == (4, 12)


def test_export_keeps_the_lineage(app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path) -> None:
    ids = _setup(app, tmp_path, fake.base_url)
    cli("questions", "evolve", "-p", "bees", "--question", str(ids["kept"]), "--method", "deepen")
    out = tmp_path / "evolved.jsonl"
    assert (
        cli(
            "export", "-p", "bees", "--out", str(out), "--format", "sharegpt", "--provenance"
        ).exit_code
        == 0
    )
    [row] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert row["conversations"][0]["value"].endswith(ADDED["increase the depth"])
    assert row["metadata"]["source"] == "evol-instruct"
    assert row["metadata"]["lineage"] == {
        "parent_question_id": ids["kept"], "evolution": "deepen", "generation": 1,
    }  # fmt: skip
    assert row["metadata"]["tag"] == "Hive life" and row["metadata"]["file"] == "bees.md"


@pytest.mark.parametrize(
    "body", [{"methods": []}, {"methods": ["sideways"]}, {"no_change_threshold": 2}]
)
def test_bad_options_are_refused(
    app: App, fake: FakeOpenAI, tmp_path: Path, body: dict[str, object]
) -> None:
    make_project(app, tmp_path, fake.base_url)
    api = TestClient(
        create_app(Settings.load(home=app.settings.home), run_jobs=False),
        base_url="http://127.0.0.1",
    )
    assert api.post(f"/api/projects/bees/stages/{STAGE}", json=body).status_code == 422


def summary_of(app: App, job_id: int) -> dict[str, object]:
    summary = jobs.show_job(app, job_id).summary
    assert summary is not None
    return summary.model_dump()

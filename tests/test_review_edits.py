"""Editing a QA pair from the service, the REST API and the CLI: a confirmation can carry the
edit (one transaction, so confirming never leaves an edit behind), only real changes are
noted as edits, and a new question is also the text of the pair's Question row (and of its
other pairs), so the questions list shows what the pair asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.errors import InputError
from easy_dataset.services import App, projects
from easy_dataset.services import generation as gen
from easy_dataset.store.dataset import QAPair
from tests.api_support import core, fresh, ok, refused, shared_server
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project


def seed_pairs(app: App, project: str) -> tuple[int, list[int], int]:
    """A question with two QA pairs (as re-answering leaves) and a pair of its own without
    a question row: (question id, its pair ids, the loose pair's id)."""
    chunk = chunk_ids(app, project)[0]
    question = gen.add_question(app, project, "Who lays the eggs?", chunk_id=chunk)
    project_id = projects.get_project(app, project).id
    with app.db.session() as session:
        rows = [
            QAPair(
                project_id=project_id,
                question_id=question_id,
                chunk_id=chunk,
                question=text,
                answer=answer,
                provenance={"prompt": "answer"},
            )
            for question_id, text, answer in (
                (question.id, "Who lays the eggs?", "The queen."),
                (question.id, "Who lays the eggs?", "The queen does."),
                (None, "What is a drone?", "A male bee."),
            )
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    return question.id, ids[:2], ids[2]


def question_text(app: App, project: str, question_id: int) -> str:
    [row] = [q for q in gen.list_questions(app, project) if q.id == question_id]
    return row.text


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    return make_project(app, tmp_path, fake.base_url)


def test_edit_and_confirm_in_one_call(app: App, project: str) -> None:
    _, (first, _), loose = seed_pairs(app, project)
    view = gen.edit_qa(app, project, first, answer=" The queen, alone. ", confirmed=True)
    stored = gen.get_qa(app, project, first)
    assert (stored.answer, stored.confirmed) == ("The queen, alone.", True)
    assert (view.answer, view.confirmed) == (stored.answer, True)
    assert "edited" in stored.provenance
    # A confirmation alone is a change; it is not an edit of the text.
    assert gen.edit_qa(app, project, loose, confirmed=True).confirmed
    assert "edited" not in gen.get_qa(app, project, loose).provenance
    # Text sent unchanged (what a form sends on save-then-confirm) is not an edit either.
    gen.edit_qa(app, project, loose, question="What is a drone?", confirmed=False)
    after = gen.get_qa(app, project, loose)
    assert not after.confirmed and "edited" not in after.provenance
    # A refused edit confirms nothing.
    with pytest.raises(InputError):
        gen.edit_qa(app, project, loose, answer="  ", confirmed=True)
    assert not gen.get_qa(app, project, loose).confirmed
    with pytest.raises(InputError, match="nothing to change"):
        gen.edit_qa(app, project, loose)


def test_a_new_question_is_the_question_rows_text(app: App, project: str) -> None:
    question_id, (first, second), loose = seed_pairs(app, project)
    gen.edit_qa(app, project, first, question="  Which bee lays the eggs? ")
    assert question_text(app, project, question_id) == "Which bee lays the eggs?"
    # Its other pair asks the new question too; its answer is untouched.
    other = gen.get_qa(app, project, second)
    assert (other.question, other.answer) == ("Which bee lays the eggs?", "The queen does.")
    assert gen.list_questions(app, project, search="Which bee")[0].id == question_id
    # A pair without a question row changes alone.
    gen.edit_qa(app, project, loose, question="What does a drone do?")
    assert gen.get_qa(app, project, loose).question == "What does a drone do?"
    assert question_text(app, project, question_id) == "Which bee lays the eggs?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient, tmp_path: Path, fake: FakeOpenAI) -> tuple[TestClient, App]:
    client = fresh(server)
    served = core(client)
    make_project(served, tmp_path, fake.base_url)
    return client, served


def test_rest_patch_edits_and_confirms(api: tuple[TestClient, App]) -> None:
    client, served = api
    question_id, (first, _), _ = seed_pairs(served, "bees")
    base = "/api/projects/bees/qa"
    body = {"question": "Which bee lays eggs?", "answer": "The queen.", "confirmed": True}
    view = ok(client.patch(f"{base}/{first}", json=body))
    assert (view["question"], view["confirmed"]) == ("Which bee lays eggs?", True)
    assert ok(client.get(f"{base}/{first}"))["confirmed"] is True
    questions = ok(client.get("/api/projects/bees/questions"))["items"]
    assert [q["text"] for q in questions if q["id"] == question_id] == ["Which bee lays eggs?"]
    assert ok(client.patch(f"{base}/{first}", json={"confirmed": False}))["confirmed"] is False
    refused(client.patch(f"{base}/{first}", json={"answer": " ", "confirmed": True}), 422)
    assert ok(client.get(f"{base}/{first}"))["confirmed"] is False
    refused(client.patch(f"{base}/{first}", json={"confirmed": "maybe"}), 422)


def test_cli_edit_with_confirm(cli: Cli, app: App, project: str) -> None:
    question_id, (first, second), _ = seed_pairs(app, project)
    edited = cli.json(
        "qa", "edit", str(first), "-p", project, "--question", "Which bee lays?", "--confirm"
    )
    assert (edited["question"], edited["confirmed"]) == ("Which bee lays?", True)
    listed = cli.json("questions", "list", "-p", project)
    assert [q["text"] for q in listed if q["id"] == question_id] == ["Which bee lays?"]
    assert cli.json("qa", "show", str(second), "-p", project)["question"] == "Which bee lays?"
    undone = cli.json("qa", "edit", str(first), "-p", project, "--unconfirm")
    assert undone["confirmed"] is False
    assert cli("qa", "edit", str(first), "-p", project).exit_code == 1

"""The generation stages and the review from the command line, against the fake server:
tags build, personas, questions, answers, question templates and QA review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services import App
from easy_dataset.services import generation as gen
from easy_dataset.services.generation import templates
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    return make_project(app, tmp_path, fake.base_url)


def test_stages_one_by_one(cli: Cli, project: str, app: App, fake: FakeOpenAI) -> None:
    built = cli("tags", "build", "-p", project)
    assert built.exit_code == 0, built.output
    assert cli.json("tags", "list", "-p", project), "the model built no tags"
    # Built already: a second run has nothing to do and makes no call.
    calls = len(fake.stats().log)
    again = cli("tags", "build", "-p", project)
    assert "nothing to do" in again.stdout and len(fake.stats().log) == calls

    generated = cli.json("questions", "generate", "-p", project)
    assert (generated["status"], generated["total"]) == ("succeeded", 3)
    questions = cli.json("questions", "list", "-p", project, "--unanswered")
    assert len(questions) == 3 and all(q["tag_id"] for q in questions)

    one = cli.json("questions", "answer", "-p", project, "--question", str(questions[0]["id"]))
    assert one["total"] == 1
    assert [q["id"] for q in cli.json("questions", "list", "-p", project, "--answered")] == [
        questions[0]["id"]
    ]
    rest = cli.json("questions", "answer", "-p", project, "--no-cot")
    assert rest["total"] == 2
    pairs = cli.json("qa", "list", "-p", project)
    assert len(pairs) == 3
    # --no-cot: no synthesised reasoning for the last two (the fake model gives none itself).
    assert pairs[0]["cot"] and not pairs[1]["cot"] and not pairs[2]["cot"]
    in_file = cli.json("qa", "list", "-p", project, "--file", "1")
    assert {pair["chunk_id"] for pair in in_file} == set(chunk_ids(app, project))
    assert cli.json("qa", "list", "-p", project, "--file", "2") == []


def test_questions_by_hand(cli: Cli, project: str, app: App) -> None:
    chunk = chunk_ids(app, project)[0]
    tag = cli.json("tags", "add", "Castes", "-p", project)
    added = cli.json(
        "questions", "add", "Who lays the eggs?", "-p", project, "--chunk", str(chunk),
        "--tag", str(tag["id"]),
    )  # fmt: skip
    assert (added["origin"], added["tag"], added["chunk_id"]) == ("manual", "Castes", chunk)
    edited = cli.json("questions", "edit", str(added["id"]), "-p", project, "--text", "Who?")
    assert edited["text"] == "Who?"
    assert cli.json("questions", "edit", str(added["id"]), "-p", project, "--no-tag")["tag"] is None
    listed = cli("questions", "list", "-p", project, "--search", "who")
    assert "Who?" in listed.stdout
    missing = cli("questions", "delete", str(added["id"]), "9999", "-p", project)
    assert missing.exit_code == 1 and "no question 9999" in missing.stderr
    assert cli.json("questions", "list", "-p", project)  # nothing was deleted
    assert cli.json("questions", "delete", str(added["id"]), "-p", project) == {"deleted": 1}
    assert cli.json("questions", "list", "-p", project) == []
    empty = cli("questions", "add", "   ", "-p", project)
    assert empty.exit_code == 1 and "needs some text" in empty.stderr


@pytest.mark.slow
def test_review_a_qa_pair(cli: Cli, project: str, app: App, fake: FakeOpenAI) -> None:
    gen.update_generation_settings(app, project, tags_enabled=False)
    assert cli("questions", "generate", "-p", project).exit_code == 0
    assert cli("questions", "answer", "-p", project).exit_code == 0
    first, second, _third = (pair["id"] for pair in cli.json("qa", "list", "-p", project))

    shown = cli("qa", "show", str(first), "-p", project)
    assert shown.exit_code == 0
    detail = cli.json("qa", "show", str(first), "-p", project)
    assert detail["chunk"]["content"] in " ".join(shown.stdout.split()) or "chunk #" in shown.stdout
    assert f"chunk #{detail['chunk_id']}" in shown.stdout

    edited = cli.json("qa", "edit", str(first), "-p", project, "--answer", "Workers forage.")
    assert edited["answer"] == "Workers forage." and "edited" in edited["provenance"]
    assert cli("qa", "edit", str(first), "-p", project).exit_code == 1  # nothing to change

    confirmed = cli.json("qa", "confirm", str(first), str(second), "-p", project)
    assert all(pair["confirmed"] for pair in confirmed)
    assert [p["id"] for p in cli.json("qa", "list", "-p", project, "--confirmed")] == [
        first,
        second,
    ]
    cli.json("qa", "confirm", str(second), "-p", project, "--undo")
    assert len(cli.json("qa", "list", "-p", project, "--unconfirmed")) == 2

    assert cli.json("qa", "rate", str(first), "4.5", "-p", project)["score"] == 4.5
    assert cli("qa", "rate", str(first), "7", "-p", project).exit_code == 1
    assert cli("qa", "rate", str(first), "-p", project).exit_code == 1
    assert [p["id"] for p in cli.json("qa", "list", "-p", project, "--min-score", "4")] == [first]
    assert cli.json("qa", "list", "-p", project, "--max-score", "4") == []
    assert len(cli.json("qa", "list", "-p", project, "--with-cot")) == 3
    assert cli.json("qa", "rate", str(first), "-p", project, "--clear")["score"] is None

    tagged = cli.json("qa", "tag", str(first), "check", "biology", "-p", project)
    assert tagged["user_tags"] == ["check", "biology"]
    assert cli.json("qa", "tag", str(first), "check", "-p", project, "--remove")["user_tags"] == [
        "biology"
    ]
    assert cli.json("qa", "tag", str(first), "x", "-p", project, "--set")["user_tags"] == ["x"]
    assert [p["id"] for p in cli.json("qa", "list", "-p", project, "--tag", "X")] == [first]

    noted = cli.json("qa", "note", str(first), "cite the page", "-p", project)
    assert noted["note"] == "cite the page"

    calls = len(fake.stats().log)
    revised = cli.json("qa", "revise", str(second), "shorter, please", "-p", project)
    assert len(fake.stats().log) == calls + 1
    revision = revised["provenance"]["revisions"][-1]
    assert revision["advice"] == "shorter, please" and revision["prompt"] == "answer_revise"
    assert cli("qa", "revise", str(second), "  ", "-p", project).exit_code == 1

    missing = cli("qa", "show", "9999", "-p", project)
    assert missing.exit_code == 1 and "no QA pair 9999" in missing.stderr


def test_personas(cli: Cli, project: str, app: App) -> None:
    generated = cli.json("personas", "generate", "-p", project, "--count", "3")
    assert generated["total"] == 1  # one file
    rows = cli.json("personas", "list", "-p", project)
    assert len(rows) == 3 and all(row["active"] for row in rows)

    added = cli.json(
        "personas", "add", "-p", project, "--file", str(rows[0]["file_id"]),
        "--genre", "FAQ", "--audience", "new beekeepers",
    )  # fmt: skip
    assert (added["genre"], added["audience"], added["active"]) == ("FAQ", "new beekeepers", True)
    edited = cli.json("personas", "edit", str(added["id"]), "-p", project, "--audience", "kids")
    assert edited["audience"] == "kids"
    off = cli.json("personas", "toggle", *(str(row["id"]) for row in rows), "-p", project, "--off")
    assert not any(row["active"] for row in off)

    gen.update_generation_settings(app, project, tags_enabled=False)
    # Questions are written once per active persona: only the hand-made one is on.
    summary = cli.json("questions", "generate", "-p", project)
    assert summary["total"] == 3  # three chunks × one persona
    assert {q["ga_pair_id"] for q in cli.json("questions", "list", "-p", project)} == {added["id"]}
    bad = cli("personas", "add", "-p", project, "--file", "999", "--genre", "g", "--audience", "a")
    assert bad.exit_code == 1 and "999" in bad.stderr


def test_question_templates(cli: Cli, project: str, app: App) -> None:
    text = cli.json("templates", "add", "Summarise this part.", "-p", project)
    label = cli.json(
        "templates", "add", "Which caste?", "-p", project, "--type", "label",
        "--label", "workers", "--label", "queen", "--label", "drones",
    )  # fmt: skip
    schema = {"type": "object", "properties": {"days": {"type": "integer"}}, "required": ["days"]}
    shaped = cli.json(
        "templates", "add", "Extract the numbers.", "-p", project, "--type", "json",
        "--schema", json.dumps(schema),
    )  # fmt: skip
    assert (text["answer_type"], label["labels"], shaped["json_schema"]) == (
        "text",
        ["workers", "queen", "drones"],
        schema,
    )
    applied = cli.json("templates", "apply", "-p", project, "--template", str(label["id"]))
    assert (applied["status"], applied["total"]) == ("succeeded", 3)
    answers = {pair["answer"] for pair in cli.json("qa", "list", "-p", project)}
    assert answers <= {"workers", "queen", "drones"} and answers
    assert cli.json("templates", "apply", "-p", project)["total"] == 6  # the other two
    assert cli.json("templates", "apply", "-p", project)["total"] == 0

    edited = cli.json("templates", "edit", str(text["id"]), "-p", project, "--question", "Sum up.")
    assert edited["question"] == "Sum up."
    assert cli.json("templates", "delete", str(text["id"]), "-p", project)["id"] == text["id"]
    assert len(cli.json("templates", "list", "-p", project)) == 2
    assert len(cli.json("qa", "list", "-p", project)) == 9  # its answers stay

    for args, message in (
        (["--type", "label", "--label", "only"], "2 to 200 distinct"),
        (["--type", "json"], "needs a JSON schema"),
        (["--type", "json", "--schema", "[1]"], "must be a JSON object"),
        (["--type", "json", "--schema", "{nope"], "is not JSON"),
        (["--type", "poem"], "text, label or json"),
    ):
        refused = cli("templates", "add", "Q?", "-p", project, *args)
        assert refused.exit_code == 1 and message in refused.stderr, refused.stderr
    assert len(cli.json("templates", "list", "-p", project)) == 2


def test_template_service_checks(app: App, project: str) -> None:
    with pytest.raises(InputError):
        templates.add_template(app, project, "  ")
    with pytest.raises(InputError):
        templates.add_template(app, project, "Q?", answer_type="json", json_schema={"type": 5})
    row = templates.add_template(app, project, "Q?", answer_type="label", labels=["a", "a", "b"])
    assert row.labels == ["a", "b"]
    with pytest.raises(NotFoundError):
        templates.edit_template(app, project, row.id + 1, question="x")
    changed = templates.edit_template(app, project, row.id, answer_type="text")
    assert (changed.answer_type, changed.labels) == ("text", [])

"""Reviewing dialogues: edit a turn, delete the last turns, regenerate from a turn, from the
service, REST and the CLI; QA-only actions refuse a dialogue instead of splitting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError
from easy_dataset.services import App, generation, stages
from easy_dataset.services.generation import QADetail
from tests.api_support import api_client, core
from tests.conftest import Cli
from tests.fake_kinds.dialogue import FOLLOW_UPS
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import make_project


def seed_dialogues(app: App, tmp_path: Path, base_url: str, *, reasoning: bool = False) -> int:
    """The bee project with three-turn dialogues; the id of the first."""
    make_project(app, tmp_path, base_url)
    stages.run_stage(
        app,
        "bees",
        "dialogues.generate",
        user_role="new beekeeper",
        assistant_role="bee inspector",
        scenario="An inspection visit",
        min_turns=3,
        max_turns=3,
        reasoning=reasoning,
    )
    return generation.list_qa(app, "bees")[0].id


def roles(detail: QADetail) -> list[str]:
    return [turn.role for turn in detail.messages or []]


def test_edit_a_turn_keeps_question_and_answer_in_step(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    qa_id = seed_dialogues(app, tmp_path, fake.base_url, reasoning=True)
    detail = generation.get_qa(app, "bees", qa_id)
    assert detail.kind == "dialogue" and roles(detail) == ["system"] + ["user", "assistant"] * 3
    assert "edited" not in detail.provenance
    generation.confirm_qa(app, "bees", [qa_id])

    first = generation.edit_turn(app, "bees", qa_id, 1, content="  How do I open a hive?  ")
    assert first.question == "How do I open a hive?" == (first.messages or [])[1].content
    assert "edited" in first.provenance and first.confirmed  # a person's edit keeps it approved
    last = generation.edit_turn(app, "bees", qa_id, 6, content="Slowly.", reasoning="")
    assert last.answer == "Slowly." and (last.messages or [])[6].reasoning == ""
    system = generation.edit_turn(app, "bees", qa_id, 0, content="You inspect hives.")
    assert (system.messages or [])[0].content == "You inspect hives."
    assert system.question == "How do I open a hive?"  # the system message is no question
    # The stored columns say the same as what `get_qa` reads back.
    assert generation.get_qa(app, "bees", qa_id) == system

    with pytest.raises(InputError, match="only the assistant reasons"):
        generation.edit_turn(app, "bees", qa_id, 1, reasoning="because")
    with pytest.raises(InputError, match="messages 0 to 6"):
        generation.edit_turn(app, "bees", qa_id, 7, content="Hello")
    with pytest.raises(InputError, match="may not be empty"):
        generation.edit_turn(app, "bees", qa_id, 2, content="   ")
    with pytest.raises(InputError, match="nothing to change"):
        generation.edit_turn(app, "bees", qa_id, 2)


def test_qa_actions_refuse_a_dialogue_and_dialogue_actions_a_pair(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    qa_id = seed_dialogues(app, tmp_path, fake.base_url)
    before = generation.get_qa(app, "bees", qa_id)
    with pytest.raises(InputError, match="is a dialogue") as refused:
        generation.edit_qa(app, "bees", qa_id, answer="A different answer")
    assert refused.value.subject == "is_dialogue"
    with pytest.raises(InputError, match="is a dialogue"):
        generation.revise_qa(app, "bees", qa_id, "Shorter")
    assert generation.get_qa(app, "bees", qa_id) == before
    # Confirming alone is no text edit: a dialogue can be confirmed the same way as a pair.
    assert generation.edit_qa(app, "bees", qa_id, confirmed=True).confirmed

    generation.add_question(app, "bees", "Why do bees dance?")
    stages.run_stage(app, "bees", "answers.generate")
    pair = next(p for p in generation.list_qa(app, "bees") if p.kind == "qa")
    assert generation.get_qa(app, "bees", pair.id).messages is None
    with pytest.raises(InputError, match="not a dialogue") as refused:
        generation.edit_turn(app, "bees", pair.id, 0, content="Hi")
    assert refused.value.subject == "not_dialogue"


def test_delete_the_last_turns_but_never_the_first(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    qa_id = seed_dialogues(app, tmp_path, fake.base_url)
    whole = generation.get_qa(app, "bees", qa_id)
    cut = generation.delete_last_turns(app, "bees", qa_id, 2)
    assert cut.messages == (whole.messages or [])[:3]
    assert cut.answer == (whole.messages or [])[2].content and "edited" in cut.provenance
    with pytest.raises(InputError, match="at least one"):
        generation.delete_last_turns(app, "bees", qa_id, 1)
    with pytest.raises(InputError, match="1 or more"):
        generation.delete_last_turns(app, "bees", qa_id, 0)


def test_regenerate_from_a_turn_keeps_the_turns_before(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    qa_id = seed_dialogues(app, tmp_path, fake.base_url)
    generation.edit_turn(app, "bees", qa_id, 1, content="My own first question?")
    generation.edit_turn(app, "bees", qa_id, 3, content="My own second question?")
    calls = len(fake.stats().bodies())

    again = generation.regenerate_from(app, "bees", qa_id, 1)
    assert len(fake.stats().bodies()) == calls + 1
    turns = again.messages or []
    assert roles(again) == ["system"] + ["user", "assistant"] * 3  # as many turns as before
    assert turns[1].content == "My own first question?"  # before the turn: kept
    assert turns[3].content == FOLLOW_UPS[0]  # from the turn on: written again
    assert again.question == "My own first question?" and again.answer == turns[-1].content
    [record] = again.provenance["regenerations"]
    assert record["from_turn"] == 1 and record["previous"][0]["content"] == (
        "My own second question?"
    )
    assert record["prompt"] == "dialogue_continue" and again.provenance["turns"] == 3
    # The scenario and roles the dialogue was written with are asked for again.
    prompt = str(fake.stats().bodies()[-1]["messages"])
    assert "An inspection visit" in prompt and "bee inspector" in prompt

    shorter = generation.regenerate_from(app, "bees", qa_id, 0, turns=1)
    assert roles(shorter) == ["system", "user", "assistant"]
    assert len(shorter.provenance["regenerations"]) == 2
    with pytest.raises(InputError, match="turns 0 to 0"):
        generation.regenerate_from(app, "bees", qa_id, 1)
    with pytest.raises(InputError, match="between 1 and 12"):
        generation.regenerate_from(app, "bees", qa_id, 0, turns=13)


def test_rest_routes_edit_truncate_and_regenerate(
    cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    with api_client(cli.home) as api:
        app = core(api)
        qa_id = seed_dialogues(app, tmp_path, fake.base_url)
        base = f"/api/projects/bees/qa/{qa_id}"

        shown = api.get(base).json()
        assert shown["kind"] == "dialogue" and len(shown["messages"]) == 7
        edited = api.patch(f"{base}/turns/1", json={"content": "Where is the queen?"})
        assert edited.status_code == 200, edited.text
        assert edited.json()["question"] == "Where is the queen?"
        cut = api.post(f"{base}/turns/truncate", json={"count": 1})
        assert cut.status_code == 200 and len(cut.json()["messages"]) == 5
        again = api.post(f"{base}/turns/regenerate", json={"from_turn": 0})
        assert again.status_code == 200, again.text
        body = again.json()
        assert body["question"] == FOLLOW_UPS[0] and len(body["messages"]) == 5

        for method, path, payload, status, kind in (
            ("patch", f"{base}/turns/9", {"content": "x"}, 422, "invalid_input"),
            ("patch", f"{base}/turns/1", {"reasoning": "r"}, 422, "invalid_input"),
            ("patch", f"{base}/turns/1", {"content": ""}, 422, "invalid_request"),
            ("patch", f"{base}/turns/-1", {"content": "x"}, 422, "invalid_request"),
            ("post", f"{base}/turns/truncate", {"count": 2}, 422, "invalid_input"),
            ("post", f"{base}/turns/truncate", {"count": 0}, 422, "invalid_request"),
            ("post", f"{base}/turns/regenerate", {"from_turn": 5}, 422, "invalid_input"),
            ("patch", f"{base}", {"answer": "x"}, 422, "invalid_input"),
            ("post", "/api/projects/bees/qa/9999/turns/truncate", {}, 404, "not_found"),
        ):
            answer = getattr(api, method)(path, json=payload)
            assert (answer.status_code, answer.json()["kind"]) == (status, kind), (path, payload)

        schema = api.get("/openapi.json").json()
        route = schema["paths"]["/api/projects/{project}/qa/{qa_id}/turns/{index}"]["patch"]
        assert route["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }


def test_cli_shows_edits_truncates_and_regenerates(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    qa_id = seed_dialogues(app, tmp_path, fake.base_url)
    listed = cli("qa", "list", "-p", "bees")
    assert listed.exit_code == 0 and "dialogue" in listed.output

    shown = cli("dialogues", "show", str(qa_id), "-p", "bees")
    assert shown.exit_code == 0, shown.output
    for text in ("An inspection visit", "bee inspector", "[1] user", "[6] assistant", "chunk #"):
        assert text in shown.output, text

    edited = cli(
        "dialogues", "edit-turn", str(qa_id), "2", "-p", "bees", "--content", "-",
        "--json", input="Read from stdin.\n",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.output
    assert (generation.get_qa(app, "bees", qa_id).messages or [])[2].content == "Read from stdin."

    cut = cli.json("dialogues", "truncate", str(qa_id), "-p", "bees", "--count", "2")
    assert len(cut["messages"]) == 3
    refused = cli("dialogues", "truncate", str(qa_id), "-p", "bees")
    assert refused.exit_code == 1 and "at least one" in refused.output

    again = cli.json("dialogues", "regenerate", str(qa_id), "-p", "bees", "--from-turn", "0")
    assert again["messages"][1]["content"] == FOLLOW_UPS[0]
    assert again["provenance"]["regenerations"][0]["previous"][1]["content"] == ("Read from stdin.")
    refused = cli("qa", "edit", str(qa_id), "-p", "bees", "--answer", "Other")
    assert refused.exit_code == 1 and "dialogues edit-turn" in refused.output
    assert "generate" in cli("dialogues", "--help").output  # the stage's command stays


def test_python_api_reviews_a_dialogue(fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        qa_id = seed_dialogues(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        assert project.sample(qa_id).kind == "dialogue"
        edited = project.edit_turn(qa_id, 2, content="Yes.")
        assert (edited.messages or [])[2].content == "Yes."
        assert len(project.delete_last_turns(qa_id).messages or []) == 5
        again = project.regenerate_from(qa_id, 0, turns=2)
        assert again.question == FOLLOW_UPS[0] and len(again.messages or []) == 5

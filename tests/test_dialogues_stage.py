"""The dialogues.generate stage: grounded multi-turn dialogues from chunks, stored as
dialogue samples and exported with all their turns, from the CLI, REST and Python."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.server.app import create_app
from easy_dataset.services import App, generation, stages
from easy_dataset.store.dataset import QAPair
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import make_project, seed_qa_pairs


def _dialogues(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = session.query(QAPair).filter(QAPair.kind == "dialogue").all()
        session.expunge_all()
        return rows


def test_cli_generates_dialogues_and_exports_every_turn(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    done = cli.json(
        "dialogues", "generate", "-p", "bees", "--user-role", "new beekeeper",
        "--assistant-role", "bee inspector", "--min-turns", "2", "--max-turns", "3",
    )  # fmt: skip
    assert done["status"] == "succeeded" and done["total"] == done["succeeded"] > 0
    rows = _dialogues(app)
    assert len(rows) == done["total"]
    for row in rows:
        roles = [message["role"] for message in row.messages or []]
        assert roles[0] == "system" and roles[1::2] == ["user"] * ((len(roles) - 1) // 2)
        assert 2 <= (len(roles) - 1) // 2 <= 3
        assert row.question == row.messages[1]["content"]
        assert row.answer == row.messages[-1]["content"]
        assert row.provenance["roles"] == {"user": "new beekeeper", "assistant": "bee inspector"}
        assert row.provenance["chunk"] == row.chunk_id
    # The review list filters by kind, from every interface.
    seed_qa_pairs(app, "bees", [("Who lays the eggs?", "The queen.")])
    listed = cli.json("qa", "list", "-p", "bees", "--kind", "dialogue")
    assert {row["id"] for row in listed} == {row.id for row in rows}
    assert [row["kind"] for row in cli.json("qa", "list", "-p", "bees", "--kind", "qa")] == ["qa"]
    assert cli("qa", "list", "-p", "bees", "--kind", "poem").exit_code == 1
    api = TestClient(
        create_app(Settings.load(home=cli.home), run_jobs=False), base_url="http://127.0.0.1"
    )
    page = api.get("/api/projects/bees/qa", params={"kind": "dialogue"}).json()
    assert page["total"] == len(rows)
    assert api.get("/api/projects/bees/qa", params={"kind": "poem"}).status_code == 422
    assert generation.count_qa(app, "bees", kind="qa") == 1
    # Everything is done: a second run plans nothing.
    assert cli.json("dialogues", "generate", "-p", "bees")["total"] == 0
    assert generation.count_qa(app, "bees") == len(rows) + 1

    sharegpt = tmp_path / "dialogues.jsonl"
    cli("export", "-p", "bees", "--out", str(sharegpt), "--format", "sharegpt")
    records = [json.loads(line) for line in sharegpt.read_text("utf-8").splitlines()]
    first = records[0]["conversations"]
    assert [turn["from"] for turn in first[:2]] == ["human", "gpt"]
    assert len(first) == len(rows[0].messages or []) - 1  # the system message apart
    messages = tmp_path / "messages.jsonl"
    cli("export", "-p", "bees", "--out", str(messages), "--format", "messages")
    shaped = json.loads(messages.read_text("utf-8").splitlines()[0])["messages"]
    assert [m["role"] for m in shaped] == [m["role"] for m in rows[0].messages or []]


def test_dialogue_options_are_checked_everywhere(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    refused = cli("dialogues", "generate", "-p", "bees", "--min-turns", "5", "--max-turns", "2")
    assert refused.exit_code == 1 and "min_turns (5) must not exceed max_turns (2)" in (
        refused.output
    )
    api = TestClient(
        create_app(Settings.load(home=cli.home), run_jobs=False), base_url="http://127.0.0.1"
    )
    bad = api.post("/api/projects/bees/stages/dialogues.generate", json={"max_turns": 13})
    assert bad.status_code == 422
    estimate = api.post(
        "/api/projects/bees/stages/dialogues.generate/estimate", json={"max_turns": 3}
    )
    assert estimate.status_code == 200 and estimate.json()["items"] == 3
    assert stages.estimate_stage(app, "bees", "dialogues.generate").calls == 3


def test_python_api_runs_the_dialogue_stage(fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        make_project(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        summary = project.run_stage(
            "dialogues.generate", scenario="An inspection visit", min_turns=1, max_turns=1
        )
        assert summary.succeeded == 3
        rows = _dialogues(workspace.app)
        assert {row.provenance["scenario"] for row in rows} == {"An inspection visit"}
        assert all(len(row.messages or []) == 3 for row in rows)

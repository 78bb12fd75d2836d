""" "Did this dataset help?": a training run's base and tuned model scored on an evaluation
set and compared, started by hand (CLI, REST, Python) or asked for by the run itself
(`eval_set`), and a reason shown where it cannot start. The tuned model here is a scripted
model of the fake server standing in for the run's GGUF."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.server.app import create_app
from easy_dataset.services import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.training import evaluation as training_evaluation
from easy_dataset.services.training import runs
from easy_dataset.store.training import TrainingRun
from tests.conftest import Cli
from tests.eval_support import bees_project, scripted
from tests.fake_openai import FakeOpenAI, Faults
from tests.train_support import conversations, save_tiny


@pytest.fixture
def scripted_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(replies=scripted())) as server:
        yield server


def _finished_run(app: App, tuned: str | None) -> int:
    """A done training run of project bees whose tuned model is configuration `tuned`."""
    with app.db.session() as session:
        row = TrainingRun(
            project_id=find_project(session, "bees").id,
            name="r",
            method="lora",
            base_model="embedded",
            status="done",
            settings={},
            curves={},
            metrics={},
            outputs={},
            model_name=tuned,
        )
        session.add(row)
        session.flush()
        return row.id


def _means(found: training_evaluation.TrainingEvaluation, kind: str) -> list[float | None]:
    assert found.comparison is not None
    rows = {(row.group, row.name): row.figures for row in found.comparison.rows}
    return [figure.mean for figure in rows[("kind", kind)]]


def test_base_and_tuned_side_by_side_from_the_cli(
    app: App, cli: Cli, scripted_fake: FakeOpenAI, tmp_path: Path
) -> None:
    bees_project(app, tmp_path, scripted_fake.base_url)
    run_id = _finished_run(app, "model-b")
    found = cli.json(
        "train", "evaluate", str(run_id), "-p", "bees", "--set", "quiz", "--base-model", "model-a"
    )
    assert (found["base_model"], found["tuned_model"]) == ("model-a", "model-b")
    assert [run["model"] for run in found["comparison"]["runs"]] == ["model-a", "model-b"]
    read = training_evaluation.evaluation(app, "bees", run_id)
    assert read is not None and _means(read, "true_false") == [1.0, 0.0]
    assert _means(read, "multiple_choice") == [1.0, 0.5]
    table = cli("train", "evaluation", str(run_id), "-p", "bees")
    assert table.exit_code == 0 and "model-a (run" in table.output, table.output
    assert "evaluation on 'quiz'" in cli("train", "status", str(run_id), "-p", "bees").output


def test_what_cannot_be_compared_is_refused_before_any_job(
    app: App, cli: Cli, scripted_fake: FakeOpenAI, tmp_path: Path
) -> None:
    bees_project(app, tmp_path, scripted_fake.base_url)
    untuned = _finished_run(app, None)
    refused = cli("train", "evaluate", str(untuned), "-p", "bees", "--set", "quiz")
    assert refused.exit_code == 1 and "left no model" in refused.output
    with app.db.session() as session:
        row = session.get(TrainingRun, _finished_run(app, "model-b"))
        assert row is not None
        row.base_model = "/models/some-folder"
        other = row.id
    refused = cli("train", "evaluate", str(other), "-p", "bees", "--set", "quiz")
    assert refused.exit_code == 1 and "base_model_config" in refused.output
    missing = cli("train", "evaluate", str(other), "-p", "bees", "-s", "nope", "--base-model", "x")
    assert missing.exit_code == 1
    assert cli("jobs", "list", "-p", "bees", "--json").output.count('"eval.run"') == 0
    assert cli("train", "evaluation", str(other), "-p", "bees").exit_code == 1


def test_rest_queues_both_and_shows_the_comparison(
    scripted_fake: FakeOpenAI, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with Workspace(home) as workspace:
        bees_project(workspace.app, tmp_path, scripted_fake.base_url)
        run_id = _finished_run(workspace.app, "model-b")
    with TestClient(create_app(Settings.load(home=home)), base_url="http://127.0.0.1") as api:
        path = f"/api/projects/bees/training-runs/{run_id}"
        assert api.get(f"{path}/evaluation").status_code == 404
        assert api.post(f"{path}/evaluate", json={}).status_code == 422
        started = api.post(
            f"{path}/evaluate", json={"eval_set": "quiz", "base_model_config": "model-a"}
        )
        assert started.status_code == 202, started.text
        assert len(started.json()["jobs"]) == 2
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = api.get(f"{path}/evaluation").json()
            runs_seen = body["comparison"]["runs"] if body["comparison"] else []
            if len(runs_seen) == 2 and all(run["scored"] == 6 for run in runs_seen):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the evaluation did not finish: {body}")
        assert [run["model"] for run in runs_seen] == ["model-a", "model-b"]


def _data_file(folder: Path) -> str:
    path = folder / "data.jsonl"
    rows = [{"messages": c.messages(), "tag": c.tag} for c in conversations(8)]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return str(path)


def test_a_run_that_asks_for_it_is_evaluated_when_it_ends(
    scripted_fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {
        "base_model": str(save_tiny(tmp_path / "tiny")),
        "data_file": _data_file(tmp_path),
        "max_steps": 2,
        "grad_accumulation": 1,
        "max_length": 64,
        "eval_set": "quiz",
        "eval_base_model": "model-a",
    }
    with Workspace(tmp_path / "home") as workspace:
        bees_project(workspace.app, tmp_path, scripted_fake.base_url)
        project = workspace.project("bees")
        # A base from a Hugging Face folder leaves no GGUF, so no model to score: the run
        # says so instead of failing or staying silent.
        run = project.train(**options)
        assert run is not None and run.status == "done" and run.model_name is None
        found = project.training_evaluation(run.id)
        assert found is not None and "left no model" in found.error
        # With a tuned model registered (the fake's model-b for the run's GGUF), the same
        # request scores both; another eval set is no new training run.
        monkeypatch.setattr(runs, "register_tuned_model", lambda session, row: "model-b")
        options["max_steps"] = 3
        run = project.train(**options)
        assert run is not None and run.model_name == "model-b"
        found = project.training_evaluation(run.id)
        assert found is not None and _means(found, "true_false") == [1.0, 0.0]
        assert project.train(**(options | {"eval_set": "other"})) is None
        assert project.evaluate_training(run.id, "quiz", base_model_config="model-a").jobs


def test_the_server_queues_the_evaluation_a_run_asks_for(
    scripted_fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with Workspace(home) as workspace:
        bees_project(workspace.app, tmp_path, scripted_fake.base_url)
    monkeypatch.setattr(runs, "register_tuned_model", lambda session, row: "model-b")
    body = {
        "base_model": str(save_tiny(tmp_path / "tiny")),
        "data_file": _data_file(tmp_path),
        "max_steps": 2,
        "grad_accumulation": 1,
        "max_length": 64,
        "eval_set": "quiz",
        "eval_base_model": "model-a",
    }
    with TestClient(create_app(Settings.load(home=home)), base_url="http://127.0.0.1") as api:
        started = api.post("/api/projects/bees/stages/train.run", json=body)
        assert started.status_code in (200, 201, 202), started.text
        deadline = time.monotonic() + 120
        found: dict[str, object] = {}
        while time.monotonic() < deadline:
            listed = api.get("/api/projects/bees/training-runs").json()
            if listed and listed[0]["status"] == "done":
                answer = api.get(f"/api/projects/bees/training-runs/{listed[0]['id']}/evaluation")
                found = answer.json() if answer.status_code == 200 else {}
                compared = found.get("comparison")
                if isinstance(compared, dict) and all(
                    run["scored"] == 6 for run in compared["runs"]
                ):
                    break
            time.sleep(0.3)
        else:
            pytest.fail(f"no evaluation followed the run: {found}")
        assert found["base_model"] == "model-a" and found["tuned_model"] == "model-b"

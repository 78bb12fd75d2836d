"""The eval.run stage and its results: two scripted models on one set, with the exact
scores and intervals they must get, from the CLI, the Python API and REST; a failed call,
and the run continued by a retry."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.evaluate.stats import wilson
from easy_dataset.server.app import create_app
from easy_dataset.services import App, jobs, stages
from easy_dataset.services.evaluation import results
from easy_dataset.store.evaluation import EvalResult, EvalRun
from tests.conftest import Cli
from tests.eval_support import Item, bees_project, make_set, scripted
from tests.fake_openai import FakeOpenAI, Faults


@pytest.fixture
def scripted_fake() -> FakeOpenAI:
    with FakeOpenAI(Faults(replies=scripted())) as server:
        yield server


def test_two_models_scored_exactly(
    app: App, cli: Cli, scripted_fake: FakeOpenAI, tmp_path: Path
) -> None:
    bees_project(app, tmp_path, scripted_fake.base_url)
    done_a = cli.json("eval", "run", "-p", "bees", "--set", "quiz", "--model", "model-a")
    done_b = cli.json("eval", "run", "-p", "bees", "-s", "quiz", "-m", "model-b")
    assert done_a["status"] == done_b["status"] == "succeeded"
    assert done_a["succeeded"] == done_b["succeeded"] == 6
    # The job's summary: accuracy per kind.
    rows = {row["kind"]: row for row in done_a["summary"]["rows"]}
    assert rows["single_choice"]["mean"] == 0.5 and rows["single_choice"]["n"] == 2
    assert done_a["summary"]["totals"]["n"] == 6

    runs = cli.json("eval", "runs", "-p", "bees")
    assert [(run["model"], run["judge_model"], run["scored"]) for run in runs] == [
        ("model-a", "fake", 6),
        ("model-b", "fake", 6),
    ]
    run_a, run_b = runs[0]["id"], runs[1]["id"]

    report_a = cli.json("eval", "results", str(run_a), "-p", "bees")
    kinds = report_a["kinds"]
    # Model A: 3 of 4 closed items right; "Honey." matches "honey" once normalised; the open
    # answer holds 8 of the reference's 10 words: the judge gives 4 of 5, i.e. 0.75.
    assert kinds["true_false"] == {
        "n": 1, "mean": 1.0, "low": wilson(1, 1)[0], "high": 1.0, "method": "wilson",
    }  # fmt: skip
    assert (kinds["single_choice"]["mean"], kinds["single_choice"]["low"]) == (
        0.5,
        wilson(1, 2)[0],
    )
    assert kinds["single_choice"]["high"] == wilson(1, 2)[1]
    assert kinds["multiple_choice"]["mean"] == 1.0
    assert kinds["short_answer"]["mean"] == 1.0
    low, high = wilson(0.75, 1)
    assert kinds["open"] == {"n": 1, "mean": 0.75, "low": low, "high": high, "method": "wilson"}
    scores_a = [1.0, 1.0, 1.0, 0.0, 1.0, 0.75]
    overall = report_a["overall"]
    assert overall["mean"] == pytest.approx(sum(scores_a) / 6)
    assert (overall["low"], overall["high"]) == pytest.approx(wilson(sum(scores_a), 6))
    assert report_a["tags"]["Bees"]["mean"] == 1.0 and report_a["tags"]["Bees"]["n"] == 2
    assert report_a["tags"]["Work"]["mean"] == pytest.approx((1 + 0 + 1 + 0.75) / 4)

    # Model B: true/false wrong, both single choices right, A+B+C for A+C is (2-1)/2.
    listed = cli.json("eval", "results", str(run_b), "-p", "bees", "--items")["items"]
    by_kind = {item["kind"]: item for item in listed}  # single_choice: the last one
    assert by_kind["multiple_choice"]["score"] == 0.5
    assert by_kind["multiple_choice"]["method"] == "partial"
    assert by_kind["multiple_choice"]["detail"]["parsed"] == "ABC"
    assert by_kind["true_false"]["score"] == 0.0
    assert by_kind["short_answer"]["method"] == "judge"
    assert by_kind["short_answer"]["detail"]["rating"] == 1
    assert by_kind["open"]["response"] == "Bees like wax."
    report_b = results.run_report(app, "bees", run_b)
    assert report_b.kinds["single_choice"].mean == 1.0
    assert report_b.kinds["single_choice"].low == wilson(2, 2)[0]
    closed_b = [item["score"] for item in listed if item["kind"] not in ("short_answer", "open")]
    assert closed_b == [0.0, 1.0, 0.5, 1.0]

    compared = cli.json("eval", "compare", str(run_a), str(run_b), "-p", "bees")
    assert [run["model"] for run in compared["runs"]] == ["model-a", "model-b"]
    rows = {(row["group"], row["name"]): row["figures"] for row in compared["rows"]}
    assert [figure["mean"] for figure in rows[("kind", "true_false")]] == [1.0, 0.0]
    assert [figure["mean"] for figure in rows[("kind", "multiple_choice")]] == [1.0, 0.5]
    assert [figure["n"] for figure in rows[("all", "all")]] == [6, 6]
    assert ("tag", "Work") in rows
    table = cli("eval", "compare", str(run_a), str(run_b), "-p", "bees")
    assert table.exit_code == 0
    assert "model-a (run" in table.output and "100.0 [20.7, 100.0] n=1" in table.output
    assert cli("eval", "results", "99", "-p", "bees").exit_code == 1


def test_a_failed_call_fails_its_item_and_a_retry_completes_the_run(
    app: App, scripted_fake: FakeOpenAI, tmp_path: Path
) -> None:
    bees_project(app, tmp_path, scripted_fake.base_url)
    scripted_fake.set_faults(Faults(replies=scripted(), script=["500"]))
    summary = stages.run_stage(
        app, "bees", "eval.run", eval_set="quiz", model="model-a", concurrency=1
    )
    assert (summary.succeeded, summary.failed) == (5, 1)
    failure = jobs.show_job(app, summary.job_id).failures[0]
    assert failure.item_key.startswith("i") and "500" in failure.message
    with app.db.session() as session:
        assert session.scalar(select(func.count(EvalResult.id))) == 5
    moved, rerun = jobs.retry_job(app, summary.job_id)
    assert moved == 1 and rerun is not None and rerun.status == "succeeded"
    with app.db.session() as session:
        assert session.scalar(select(func.count(EvalRun.id))) == 1  # the same run goes on
        assert session.scalar(select(func.count(EvalResult.id))) == 6


def test_options_are_checked(app: App, scripted_fake: FakeOpenAI, tmp_path: Path) -> None:
    bees_project(app, tmp_path, scripted_fake.base_url)
    make_set(app, "bees", "empty", [])
    with pytest.raises(Exception, match="no evaluation set 'nope'"):
        stages.start_stage(app, "bees", "eval.run", eval_set="nope")
    with pytest.raises(Exception, match="has no items"):
        stages.start_stage(app, "bees", "eval.run", eval_set="empty")
    with pytest.raises(Exception, match="no model configuration 'ghost'"):
        stages.start_stage(app, "bees", "eval.run", eval_set="quiz", model="ghost")
    estimate = stages.estimate_stage(app, "bees", "eval.run", eval_set="quiz", limit=3)
    assert estimate.items == 3 and estimate.calls == 3


def test_python_api_and_rest(scripted_fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        bees_project(workspace.app, tmp_path, scripted_fake.base_url)
        project = workspace.project("bees")
        make_set(
            workspace.app,
            "bees",
            "mini",
            [Item("true_false", "Worker bees are sterile females.", "true")],
        )
        for model in ("model-a", "model-b"):
            assert project.evaluate("mini", model=model, judge_model="fake").succeeded == 1
        first, second = (run.id for run in project.eval_runs("mini"))
        assert project.eval_report(first).overall.mean == 1.0
        assert project.eval_results(second)[0].response == "False"
        compared = project.compare_evals([first, second])
        assert [figure.mean for figure in compared.rows[0].figures] == [1.0, 0.0]

        api = TestClient(
            create_app(Settings.load(home=tmp_path / "home"), run_jobs=False),
            base_url="http://127.0.0.1",
        )
        listed = api.get("/api/projects/bees/eval-runs", params={"set": "mini"}).json()
        assert [run["model"] for run in listed] == ["model-a", "model-b"]
        report = api.get(f"/api/projects/bees/eval-runs/{first}").json()
        assert report["kinds"]["true_false"]["mean"] == 1.0
        items = api.get(f"/api/projects/bees/eval-runs/{second}/items", params={"wrong": True})
        assert [item["response"] for item in items.json()] == ["False"]
        compare = api.get(
            "/api/projects/bees/eval-runs/compare", params={"run": [first, second]}
        ).json()
        assert [figure["mean"] for figure in compare["rows"][0]["figures"]] == [1.0, 0.0]
        assert api.get("/api/projects/bees/eval-runs/999").status_code == 404
        started = api.post(
            "/api/projects/bees/stages/eval.run", json={"eval_set": "mini", "model": "model-a"}
        )
        assert started.status_code in (200, 201, 202), started.text
        assert api.post("/api/projects/bees/stages/eval.run", json={}).status_code == 422

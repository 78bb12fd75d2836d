"""`jobs` and `models` commands end to end: list, show failures, retry, cancel, resume, test."""

from __future__ import annotations

import json

import pytest

from easy_dataset.jobs import check_counts, create_job
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects, usage
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI, Faults
from tests.job_handlers import RECORD, RecordingHandler, create_results_table, result_rows


@pytest.fixture(autouse=True)
def _fresh_handler() -> None:
    RecordingHandler.reset()


def test_resume_show_retry(cli: Cli, app: App) -> None:
    create_results_table(app)
    job_id = create_job(app, RECORD, params={"n": 40, "p_fail": 0.3, "seed": 3})

    listed = cli.json("jobs", "list")
    assert [(job["id"], job["status"], job["pending"]) for job in listed] == [
        (job_id, "pending", 40)
    ]

    first = cli("jobs", "resume", "--json")
    assert first.exit_code == 1  # some items failed
    (summary,) = json.loads(first.stdout)
    assert summary["status"] == "failed" and summary["failed"] > 0
    assert summary["succeeded"] + summary["failed"] == 40 and summary["pending"] == 0

    detail = cli.json("jobs", "show", str(job_id))
    assert detail["job"]["failed"] == summary["failed"]
    assert len(detail["failures"]) == summary["failed"]
    assert {f["kind"] for f in detail["failures"]} == {"parse"}
    assert all(f["raw_output"].startswith("oops k") for f in detail["failures"])
    shown = cli("jobs", "show", str(job_id))
    assert (
        f"total 40 = {summary['succeeded']} succeeded + {summary['failed']} failed" in shown.stdout
    )

    for _ in range(10):  # failures are seeded per attempt, so retries eventually succeed
        retried = cli("jobs", "retry", str(job_id))
        if retried.exit_code == 0:
            break
    assert cli.json("jobs", "show", str(job_id))["job"]["status"] == "succeeded"
    assert check_counts(app, job_id) == []
    assert set(result_rows(app, job_id).values()) == {1}  # every item stored exactly once
    assert len(result_rows(app, job_id)) == 40

    assert "no interrupted jobs" in cli("jobs", "resume").stdout
    finished = cli("jobs", "cancel", str(job_id))
    assert finished.exit_code == 1 and "already finished" in finished.stderr


def test_cancel_a_waiting_job(cli: Cli, app: App) -> None:
    create_results_table(app)
    job_id = create_job(app, RECORD, params={"n": 5})
    cancelled = cli.json("jobs", "cancel", str(job_id))
    assert cancelled["status"] == "cancelled" and cancelled["pending"] == 5
    refused = cli("jobs", "resume", str(job_id))
    assert refused.exit_code == 1 and "cancelled" in refused.stderr
    assert cli("jobs", "show", "999").exit_code == 1


def test_models_test_and_available_against_the_fake_server(cli: Cli, app: App) -> None:
    projects.create_project(app, "p")
    with FakeOpenAI(Faults(models=["alpha", "beta"])) as fake:
        models.add_model(
            app,
            "p",
            ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="alpha"),
            api_key="sk-fake-0123456789",
        )
        report = cli.json("models", "test", "-p", "p")
        assert report["ok"] and report["reply"]
        assert cli.json("models", "available", "-p", "p", "fake") == ["alpha", "beta"]
        sent = fake.stats().log[-1]
        assert sent["headers"]["authorization"] == "Bearer sk-fake-0123456789"
    failing = cli("models", "test", "-p", "p", "--json")  # the server is gone now
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["ok"] is False


def test_usage_is_logged_and_totalled(app: App) -> None:
    project = projects.create_project(app, "p")
    with FakeOpenAI() as fake:
        models.add_model(
            app, "p", ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="m")
        )
        report = models.test_model(app, "p")
    assert report.ok
    rows = usage.usage_totals(app, project_ref="p", group_by="model")
    assert [(row.key, row.calls, row.errors) for row in rows] == [("m", 1, 0)]
    assert rows[0].prompt_tokens > 0 and rows[0].completion_tokens > 0
    by_project = usage.usage_totals(app, group_by="project")
    assert [row.key for row in by_project] == [str(project.id)]


def test_usage_command(cli: Cli, app: App) -> None:
    projects.create_project(app, "p")
    assert "no model calls" in cli("usage").stdout
    with FakeOpenAI(Faults(script=["500", "500", "500"])) as fake:
        config = ModelConfig(
            name="f", provider="custom", base_url=fake.base_url, model="m", max_retries=0
        )
        models.add_model(app, "p", config)
        assert cli("models", "test", "-p", "p").exit_code == 1
        assert cli("models", "test", "-p", "p").exit_code == 1
    (row,) = cli.json("usage", "-p", "p", "--by", "model")
    assert (row["key"], row["calls"], row["errors"]) == ("m", 2, 2)
    assert "m" in cli("usage", "--by", "day").stdout

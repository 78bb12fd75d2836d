"""A job's model calls from the usage log (failed by kind, retried, cancelled) in the
service, `jobs show` and the REST job view; the user's cancellations counted apart from
errors in usage totals, error rates, `usage` and the REST usage routes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, files, jobs, models, projects, stages, usage
from easy_dataset.store.models import LLMCall
from easy_dataset.types import ChunkSettings
from tests.api_support import api_client, make_project, ok, wait_for_job
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI, Faults
from tests.helpers import GUIDE, write


def _project(app: App, tmp_path: Path, base_url: str, **settings: object) -> None:
    chunking = ChunkSettings(strategy="fixed", size=120, overlap=0)
    projects.create_project(app, "p", chunking=chunking)
    files.add_files(app, "p", [write(tmp_path / "guide.md", GUIDE)])
    config = ModelConfig.model_validate(
        {
            "name": "fake",
            "provider": "custom",
            "base_url": base_url,
            "model": "m",
            "concurrency": 1,
            "validation_retries": 0,
            **settings,
        }
    )
    models.add_model(app, "p", config)


def _log(app: App, job_id: int | None, project_id: int, *outcomes: str | None) -> None:
    """Rows of the usage log: None is a call that succeeded, else its error kind."""
    with app.db.session() as session:
        for kind in outcomes:
            session.add(
                LLMCall(
                    project_id=project_id,
                    job_id=job_id,
                    endpoint="http://x/v1",
                    model="m",
                    status="ok" if kind is None else "error",
                    error_kind=kind,
                )
            )


def test_a_retried_timeout_is_on_the_job(cli: Cli, app: App, tmp_path: Path) -> None:
    with FakeOpenAI(Faults(script=["hang"], hang_seconds=3)) as fake:
        _project(app, tmp_path, fake.base_url, timeout=1.0)
        summary = stages.run_stage(app, "p", "questions.generate")
    assert summary is not None and summary.failed == 0
    detail = jobs.show_job(app, summary.job_id)
    calls = detail.calls
    assert calls.calls == summary.total + 1
    assert (calls.failed, calls.retried, calls.cancelled) == (1, 1, 0)
    assert calls.kinds == {"timeout": 1} and calls.retried_kinds == {"timeout": 1}
    shown = cli("jobs", "show", str(summary.job_id))
    assert shown.exit_code == 0
    assert "1 failed (timeout 1)" in shown.stdout
    assert "1 call timed out and was retried" in shown.stdout
    as_json = cli.json("jobs", "show", str(summary.job_id))
    assert as_json["calls"]["retried_kinds"] == {"timeout": 1}


def test_a_timeout_that_failed_its_item_was_not_retried(app: App, tmp_path: Path) -> None:
    with FakeOpenAI(Faults(script=["hang"], hang_seconds=3)) as fake:
        _project(app, tmp_path, fake.base_url, timeout=1.0, max_retries=0)
        summary = stages.run_stage(app, "p", "questions.generate")
    assert summary is not None and summary.failed == 1
    calls = jobs.show_job(app, summary.job_id).calls
    assert calls.kinds == {"timeout": 1}
    assert calls.retried == 0 and calls.retried_kinds == {}
    [failure] = jobs.show_job(app, summary.job_id).failures
    assert failure.kind == "timeout" and "timeout setting" in failure.message


def test_cancellations_are_not_errors(cli: Cli, app: App) -> None:
    project = projects.create_project(app, "p")
    _log(app, 7, project.id, None, None, None, "timeout", *["cancelled"] * 16)
    [rate] = usage.error_rates(app, project_ref="p", group_by="model")
    assert (rate.calls, rate.errors, rate.cancelled) == (20, 1, 16)
    assert rate.kinds == {"timeout": 1}
    assert rate.error_rate == 0.25  # 1 error of the 4 calls that ran to an end
    [row] = usage.usage_totals(app, project_ref="p", group_by="model")
    assert (row.calls, row.errors, row.cancelled) == (20, 1, 16)
    calls = jobs.calls_of(app, [7])[7]
    assert (calls.calls, calls.failed, calls.cancelled) == (20, 1, 16)
    [listed] = cli.json("usage", "-p", "p")
    assert (listed["errors"], listed["cancelled"]) == (1, 16)
    table = cli("usage", "-p", "p").stdout
    assert "cancelled" in table and "16" in table
    # only cancellations: no error rate at all, not 100 %
    _log(app, 8, project.id, "cancelled")
    [rate] = usage.error_rates(app, project_ref="p", group_by="model", job_id=8)
    assert (rate.errors, rate.cancelled, rate.error_rate) == (0, 1, 0.0)


def test_rest_job_view_and_usage(tmp_path: Path) -> None:
    with FakeOpenAI(Faults(script=["500"])) as fake, api_client(tmp_path / "home") as api:
        make_project(api, fake.base_url)
        ok(api.patch("/api/projects/bees/models/fake", json={"max_retries": 2}))
        started = ok(api.post("/api/projects/bees/stages/questions.generate", json={}), 202)
        state = wait_for_job(api, started["id"])
        assert state["job"]["status"] == "succeeded"
        calls = state["calls"]
        assert calls["kinds"] == {"http": 1} and calls["retried_kinds"] == {"http": 1}
        project_id = state["job"]["project_id"]
        core = api.app.state.core  # type: ignore[attr-defined]
        _log(core, started["id"], project_id, "cancelled", "cancelled")
        errors = ok(api.get("/api/usage/errors?by=all&project=bees"))["overall"]
        assert (errors["errors"], errors["cancelled"]) == (1, 2)
        assert errors["error_rate"] == round(1 / (errors["calls"] - 2), 4)
        [row] = ok(api.get("/api/usage?by=model&project=bees"))["items"]
        assert (row["errors"], row["cancelled"]) == (1, 2)
        state = ok(api.get(f"/api/jobs/{started['id']}"))
        assert state["calls"]["cancelled"] == 2 and state["calls"]["failed"] == 1


def test_a_new_project_given_a_deleted_ones_ids_inherits_none_of_its_calls(app: App) -> None:
    # SQLite gives a new row the id of the deleted last one: the project, its job and its
    # model configuration here all come back with the same ids.
    first = projects.create_project(app, "p")
    config = models.add_model(app, "p", ModelConfig(name="fake", base_url="http://x/v1", model="m"))
    job = stages.start_stage(app, "p", "tags.build", rebuild=True)
    _log(app, job, first.id, None, "timeout")
    with app.db.session() as session:
        session.execute(
            update(LLMCall).where(LLMCall.job_id == job).values(model_config_id=config.id)
        )
    projects.delete_project(app, "p")

    second = projects.create_project(app, "p")
    again = models.add_model(app, "p", ModelConfig(name="fake", base_url="http://x/v1", model="m"))
    assert (second.id, again.id) == (first.id, config.id)
    assert jobs.calls_of(app, [job])[job].calls == 0
    assert usage.usage_totals(app, project_ref="p") == []
    with app.db.session() as session:
        assert session.scalar(select(func.count()).where(LLMCall.model_config_id == again.id)) == 0
    # The calls stay in the log, counted in the totals, attributed to nothing.
    [row] = usage.usage_totals(app, group_by="project")
    assert (row.key, row.calls, row.errors) == ("None", 2, 1)


def test_removing_a_model_configuration_detaches_its_calls(app: App) -> None:
    project = projects.create_project(app, "p")
    config = models.add_model(app, "p", ModelConfig(name="a", base_url="http://x/v1", model="m"))
    _log(app, None, project.id, None)
    with app.db.session() as session:
        session.execute(update(LLMCall).values(model_config_id=config.id))
    models.remove_model(app, "p", "a")
    again = models.add_model(app, "p", ModelConfig(name="b", base_url="http://x/v1", model="m"))
    assert again.id == config.id
    with app.db.session() as session:
        assert session.scalars(select(LLMCall.model_config_id)).all() == [None]
    [row] = usage.usage_totals(app, project_ref="p")
    assert row.calls == 1  # still the project's call

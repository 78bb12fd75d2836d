"""The estimate before every job that calls a model, beyond questions and answers: the
tag tree, personas, question templates and the judge — items exactly as the job plans them,
model calls, tokens and time — from the services, REST, the CLI and the Python API, against
the fake server over real HTTP. Nothing is created by an estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.server.app import create_app
from easy_dataset.services import App, models, projects, quality
from easy_dataset.services.generation import update_generation_settings
from easy_dataset.services.generation.templates import add_template
from easy_dataset.services.stages import estimate_stage as estimate
from easy_dataset.services.stages import run_stage
from easy_dataset.store.models import Job, LLMCall
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import add_document, make_project, seed_qa_pairs

WASPS = """# Wasps

## Nests

Paper wasps chew wood fibre into a pulp and build open combs under eaves. A nest is
founded in spring by one queen and abandoned in autumn, when only young queens survive.
"""
PAIRS = [
    ("How long does a worker bee live?", "About six weeks in summer."),
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
]


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    return make_project(app, tmp_path, fake.base_url)


def job_count(app: App) -> int:
    with app.db.session() as session:
        return int(session.scalar(select(func.count(Job.id))) or 0)


def call_count(app: App) -> int:
    with app.db.session() as session:
        return int(session.scalar(select(func.count(LLMCall.id))) or 0)


def test_each_stage_estimated_as_its_job_plans_it(app: App, project: str, tmp_path: Path) -> None:
    add_document(app, project, tmp_path, "wasps.md", WASPS)
    add_template(app, project, "Which insect is this about?", answer_type="label",
                 labels=["bee", "wasp"])  # fmt: skip
    add_template(app, project, "Summarise the passage.")
    timed = False
    for stage in ("tags.build", "personas.generate", "templates.apply"):
        before = job_count(app)
        guess = estimate(app, project, stage)
        assert job_count(app) == before  # nothing created
        assert guess.stage == stage and guess.estimated
        assert guess.items > 0 and guess.calls >= guess.items
        assert guess.prompt_tokens > 0 and guess.completion_tokens > 0
        assert guess.tokens == guess.prompt_tokens + guess.completion_tokens
        if timed:  # the usage log has calls of the model by now: time and latency known
            assert guess.latency_ms is not None and guess.latency_calls == call_count(app)
            assert guess.seconds is not None and guess.seconds >= 0
        else:
            assert guess.seconds is None and guess.latency_ms is None
        done = run_stage(app, project, stage)
        assert done.total == guess.items and done.failed == 0, stage
        timed = True
        # Done: the next estimate plans nothing, as the next job would.
        after = estimate(app, project, stage)
        assert (after.items, after.calls, after.prompt_tokens) == (0, 0, 0)

    # Sizes follow the texts: two templates over every chunk cost more than one.
    add_document(app, project, tmp_path, "more.md", WASPS.replace("Wasps", "Hornets"))
    one = estimate(app, project, "templates.apply", template_ids=[1])
    both = estimate(app, project, "templates.apply")
    assert both.items == 2 * one.items and both.prompt_tokens > one.prompt_tokens


def test_personas_scoped_to_a_file_and_a_count(app: App, project: str, tmp_path: Path) -> None:
    wasps = add_document(app, project, tmp_path, "wasps.md", WASPS)
    every = estimate(app, project, "personas.generate")
    one = estimate(app, project, "personas.generate", file_ids=[wasps])
    assert (every.items, one.items, one.calls) == (2, 1, 1)
    more = estimate(app, project, "personas.generate", file_ids=[wasps], count=10)
    assert more.completion_tokens > one.completion_tokens
    assert run_stage(app, project, "personas.generate", file_ids=[wasps]).total == one.items


def test_tags_estimate_follows_the_switches(app: App, project: str) -> None:
    assert estimate(app, project, "tags.build").items == 1
    update_generation_settings(app, project, tags_enabled=False)
    assert estimate(app, project, "tags.build").items == 0
    assert run_stage(app, project, "tags.build").total == 0


def test_judge_estimate_uses_the_judge_model(app: App, project: str, fake: FakeOpenAI) -> None:
    ids = seed_qa_pairs(app, project, PAIRS)
    guess = quality.estimate_check(app, project, "judge")
    assert (guess.stage, guess.items, guess.calls) == ("quality.judge", 3, 3)
    assert guess.prompt_tokens > 0 and guess.completion_tokens > 0
    assert guess.model == "m" and guess.seconds is None
    assert job_count(app) == 0
    narrowed = quality.estimate_check(app, project, "judge", qa_ids=ids[:2])
    assert (narrowed.items, narrowed.calls) == (2, 2)
    assert narrowed.prompt_tokens < guess.prompt_tokens

    # The project's judge model is the one timed and named.
    models.add_model(
        app,
        project,
        ModelConfig(name="judge", provider="custom", base_url=fake.base_url, model="j",
                    max_retries=0, concurrency=2),
    )  # fmt: skip
    quality.update_quality_settings(app, project, judge_model="judge")
    guess = quality.estimate_check(app, project, "judge")
    assert (guess.model, guess.concurrency) == ("j", 2)
    done = quality.run_check(app, project, "judge")
    assert done.total == guess.items == 3 and done.failed == 0
    again = quality.estimate_check(app, project, "judge", redo=True)
    assert again.items == 3 and again.latency_ms is not None and again.latency_calls == 3
    assert again.seconds is not None and again.seconds >= 0
    assert quality.estimate_check(app, project, "judge").items == 0
    with pytest.raises(InputError):
        quality.estimate_check(app, project, "judge", weights={"accuracy": -1})


def test_checks_without_a_model_estimate_no_calls(app: App, project: str) -> None:
    seed_qa_pairs(app, project, PAIRS)
    guess = quality.estimate_check(app, project, "hygiene")
    assert guess.calls == 0 and guess.tokens == 0 and guess.items > 0
    assert quality.run_check(app, project, "hygiene").total == guess.items
    with pytest.raises(NotFoundError, match=r"quality\.polish"):
        quality.estimate_check(app, project, "polish")
    # A check is a stage like any other.
    assert estimate(app, project, "quality.hygiene").items == guess.items


def test_rest_estimates(app: App, project: str) -> None:
    seed_qa_pairs(app, project, PAIRS)
    pid = projects.get_project(app, project).id
    server = create_app(app.settings, run_jobs=False)
    with TestClient(server, base_url="http://127.0.0.1") as client:
        stages = f"/api/projects/{pid}/stages"
        for stage in ("tags.build", "personas.generate"):
            got = client.post(f"{stages}/{stage}/estimate", json={})
            assert got.status_code == 200, got.text
            body = got.json()
            assert body["stage"] == stage and body["items"] == 1 == body["calls"]
            assert body["prompt_tokens"] > 0 and body["seconds"] is None
        templates = client.post(f"{stages}/templates.apply/estimate", json={}).json()
        assert templates["items"] == 0  # no templates yet

        checks = f"/api/projects/{pid}/stages/quality."
        judge = client.post(f"{checks}judge/estimate", json={"qa_ids": [1, 2]})
        assert judge.status_code == 200, judge.text
        assert (judge.json()["items"], judge.json()["calls"]) == (2, 2)
        assert client.post(f"{checks}judge/estimate").json()["items"] == 3  # no body
        ground = client.post(f"{checks}hygiene/estimate", json={}).json()
        assert ground["calls"] == 0 and ground["items"] > 0
        assert client.post(f"{checks}judge/estimate", json={"bogus": 1}).status_code == 422
        assert client.post(f"{checks}nope/estimate", json={}).status_code == 404
        assert job_count(app) == 0
        started = client.post(f"{checks}judge", json={"qa_ids": [1, 2]})
        assert started.status_code == 202 and started.json()["total"] == 2


def test_cli_dry_runs_start_nothing(app: App, cli: Cli, project: str) -> None:
    seed_qa_pairs(app, project, PAIRS)
    cli("templates", "add", "Summarise the passage.", "-p", project)
    for command in (
        ("quality", "judge"),
        ("personas", "generate"),
        ("tags", "build"),
        ("templates", "apply"),
    ):
        guess = cli.json(*command, "-p", project, "--dry-run")
        assert guess["estimated"] is True and guess["items"] > 0 and guess["calls"] > 0
        shown = cli(*command, "-p", project, "--dry-run")
        assert shown.exit_code == 0, shown.output
        assert f"items: {guess['items']}" in shown.output
        assert f"model calls: {guess['calls']}" in shown.output
        assert "time: unknown" in shown.output
    assert job_count(app) == 0
    judged = cli.json("quality", "judge", "-p", project, "--qa", "1", "--dry-run")
    assert judged["items"] == 1
    ran = cli.json("quality", "judge", "-p", project)
    assert ran["total"] == 3
    timed = cli("quality", "judge", "-p", project, "--redo", "--dry-run")
    assert "ms per call" in timed.output and "items: 3" in timed.output


def test_python_api_estimates(home: Path, tmp_path: Path, fake: FakeOpenAI) -> None:
    with Workspace(home) as ws:
        make_project(ws.app, tmp_path, fake.base_url, name="api")
        seed_qa_pairs(ws.app, "api", PAIRS)
        docs = ws.project("api")
        assert docs.estimate("tags.build").items == 1
        judge = docs.estimate_check("judge", qa_ids=[1])
        assert (judge.items, judge.calls) == (1, 1)
        assert docs.check("judge", qa_ids=[1]).total == judge.items

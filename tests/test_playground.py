"""The playground: one prompt to several models at once, through the service, the CLI and
the Python API, against the fake server with a scripted reply per model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from easy_dataset.services.evaluation.playground import (
    PlaygroundEvent,
    run_playground,
    stream_playground,
)
from easy_dataset.store.models import LLMCall, ModelConfigRow
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI, Faults

REPLIES = [
    {"model": "m-a", "reply": "Bees make honey from nectar."},
    {"model": "m-b", "reply": "Honey, wax and royal jelly."},
]


@pytest.fixture
def scripted() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults(replies=REPLIES, stream_delay=0.02)) as server:
        yield server


def two_models(app: App, base_url: str, project: str = "bees") -> None:
    projects.create_project(app, project)
    for name, model in (("a", "m-a"), ("b", "m-b")):
        config = ModelConfig(
            name=name, provider="custom", base_url=base_url, model=model, max_retries=0
        )
        models.add_model(app, project, config)


def events_of(app: App, models: list[str], **request: Any) -> list[PlaygroundEvent]:
    async def run() -> list[PlaygroundEvent]:
        stream = stream_playground(app, "bees", "What do bees make?", models=models, **request)
        return [event async for event in stream]

    return asyncio.run(run())


def test_two_models_stream_at_once_and_are_logged(app: App, scripted: FakeOpenAI) -> None:
    two_models(app, scripted.base_url)
    events = events_of(app, models=["a", "b"], system="Be brief.", temperature=0.2)
    for name, entry in zip(("a", "b"), REPLIES, strict=True):
        mine = [e for e in events if e.model == name]
        assert "".join(e.text for e in mine if e.kind == "delta") == entry["reply"]
        assert [e.kind for e in mine][-1] == "done"
        result = mine[-1].result
        assert result is not None and result.text == entry["reply"]
        assert result.completion_tokens > 0 and result.usage_estimated is False
        assert result.first_token_ms is not None and result.latency_ms >= result.first_token_ms
    # Concurrent: the models' pieces arrive interleaved, not one model after the other.
    order = [e.model for e in events if e.kind == "delta"]
    assert order != sorted(order)
    bodies = scripted.stats().bodies()
    assert {b["model"] for b in bodies} == {"m-a", "m-b"}
    assert all(b["messages"][0] == {"role": "system", "content": "Be brief."} for b in bodies)
    assert all(b["temperature"] == 0.2 for b in bodies)
    with app.db.session() as session:
        ids = dict(session.execute(select(ModelConfigRow.name, ModelConfigRow.id)).all())
        calls = session.execute(
            select(LLMCall.model, LLMCall.project_id, LLMCall.model_config_id, LLMCall.status)
        ).all()
    pid = projects.get_project(app, "bees").id
    assert sorted(calls) == [("m-a", pid, ids["a"], "ok"), ("m-b", pid, ids["b"], "ok")]


def test_one_failing_model_does_not_stop_the_other(app: App, scripted: FakeOpenAI) -> None:
    two_models(app, scripted.base_url)
    scripted.set_faults(script=["500"])  # the first request fails, whichever model sent it
    results = asyncio.run(run_playground(app, "bees", "Hi", models=["a", "b"]))
    assert [r.model for r in results] == ["a", "b"]
    failed = [r for r in results if r.error is not None]
    assert len(failed) == 1 and failed[0].error_kind == "http"
    [good] = [r for r in results if r.error is None]
    assert good.text == next(e["reply"] for e in REPLIES if e["model"] == f"m-{good.model}")


@pytest.mark.parametrize(
    ("names", "error"),
    [
        (["a", "b", "a"], InputError),
        (["a", "b", "c", "d"], InputError),
        ([], InputError),
        (["a", "nope"], NotFoundError),
    ],
)
def test_bad_requests_fail_before_any_call(
    app: App, scripted: FakeOpenAI, names: list[str], error: type[Exception]
) -> None:
    two_models(app, scripted.base_url)
    with pytest.raises(error):
        events_of(app, models=names)
    assert scripted.stats().total == 0


def test_cli_one_model_streams_and_reports_tokens(cli: Cli, app: App, scripted: FakeOpenAI) -> None:
    two_models(app, scripted.base_url)
    result = cli("playground", "What do bees make?", "-p", "bees", "--model", "a")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(REPLIES[0]["reply"])
    assert "a: " in result.stdout and "tokens" in result.stdout and " ms" in result.stdout


def test_cli_two_models_print_a_section_each(cli: Cli, app: App, scripted: FakeOpenAI) -> None:
    two_models(app, scripted.base_url)
    result = cli("playground", "Hi", "-p", "bees", "-m", "a", "-m", "b", "--system", "Be brief.")
    assert result.exit_code == 0, result.output
    for entry in REPLIES:
        assert entry["reply"] in result.stdout
    assert result.stdout.count("tokens/s") + result.stdout.count(" ms") >= 2
    data = json.loads(cli("playground", "Hi", "-p", "bees", "-m", "b", "-m", "a", "--json").stdout)
    assert [(r["model"], r["text"]) for r in data] == [
        ("b", REPLIES[1]["reply"]),
        ("a", REPLIES[0]["reply"]),
    ]
    assert all(r["completion_tokens"] > 0 and r["latency_ms"] >= 0 for r in data)


def test_cli_refuses_four_models(cli: Cli, app: App, scripted: FakeOpenAI) -> None:
    two_models(app, scripted.base_url)
    result = cli("playground", "Hi", "-p", "bees", *(["-m", "a", "-m", "b", "-m", "c", "-m", "d"]))
    assert result.exit_code == 1
    assert "one to 3 models" in result.stderr


def test_python_api(tmp_path: Path, scripted: FakeOpenAI) -> None:
    with Workspace(tmp_path / "ws") as ws:
        project = ws.project("bees", create=True)
        for name, model in (("a", "m-a"), ("b", "m-b")):
            project.add_model(
                ModelConfig(name=name, provider="custom", base_url=scripted.base_url, model=model)
            )
        results = project.playground("What do bees make?", models=["a", "b"], system="Brief.")
        assert [(r.model, r.text) for r in results] == [
            ("a", REPLIES[0]["reply"]),
            ("b", REPLIES[1]["reply"]),
        ]

        async def pieces() -> list[str]:
            stream = project.stream_playground("Hi", models=["b"])
            return [e.text async for e in stream if e.kind == "delta"]

        assert "".join(asyncio.run(pieces())) == REPLIES[1]["reply"]

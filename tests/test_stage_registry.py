"""A stage declared once shows up in every interface: CLI, REST (and OpenAPI), Python."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from pydantic import Field

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.errors import InputError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, StageParams, Words, all_stages, registered
from easy_dataset.server.app import create_app
from easy_dataset.services import App
from tests.conftest import Cli


class EchoParams(StageParams):
    word: str = Field(default="hello", min_length=1, max_length=20, description="What to say.")
    times: int = Field(default=1, ge=1, le=3, description="How many items.")
    loud: bool = Field(default=False, description="Shout it.")


class Echo(Stage[EchoParams]):
    """A stage that exists only in this test: one item per repetition."""

    name: ClassVar[str] = "test.echo"
    group = "generation"
    label = Words("Echo", "回声")
    help = Words("Say a word a few times.", "把一个词说几遍。")
    Params = EchoParams

    def plan(self, app: Any, project_id: int | None, params: dict[str, Any]) -> list[str]:
        return [f"e{index}" for index in range(self.options(params).times)]

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        return {"said": options.word.upper() if options.loud else options.word}


@pytest.fixture
def echo() -> Iterator[type[Echo]]:
    with registered(Echo):
        yield Echo
    assert Echo not in all_stages()


def test_every_built_in_stage_is_declared_whole() -> None:
    for stage_cls in all_stages():
        assert stage_cls.label.en and stage_cls.label.zh, stage_cls.name
        assert stage_cls.help.en and stage_cls.help.zh, stage_cls.name
        assert stage_cls.type == stage_cls.name
        assert issubclass(stage_cls.Params, StageParams)
    placed = [stage_cls.command for stage_cls in all_stages() if stage_cls.command]
    assert len(placed) == len(set(placed))


def test_a_new_stage_is_a_cli_command(echo: type[Echo], cli: Cli) -> None:
    cli("project", "create", "p")
    listed = cli.json("stage", "list")
    assert "test.echo" in [info["name"] for info in listed]
    shown = cli("stage", "test.echo", "--help")
    assert "--times" in shown.output and "--loud" in shown.output and "Say a word" in shown.output

    done = cli.json("stage", "test.echo", "-p", "p", "--times", "2", "--word", "hi")
    assert (done["total"], done["succeeded"], done["status"]) == (2, 2, "succeeded")
    estimate = cli.json("stage", "test.echo", "-p", "p", "--times", "3", "--dry-run")
    assert (estimate["items"], estimate["calls"]) == (3, 0)

    refused = cli("stage", "test.echo", "-p", "p", "--times", "9")
    assert refused.exit_code == 1
    assert "times" in refused.output and "less than or equal to 3" in refused.output


def test_a_new_stage_is_a_rest_route_with_its_schema(echo: type[Echo], tmp_path: Path) -> None:
    app = create_app(Settings.load(home=tmp_path / "home"), run_jobs=False)
    with TestClient(app, base_url="http://127.0.0.1") as api:
        assert api.post("/api/projects", json={"name": "p"}).status_code == 201
        spec = api.get("/openapi.json").json()
        route = spec["paths"]["/api/projects/{project}/stages/test.echo"]["post"]
        body = route["requestBody"]["content"]["application/json"]["schema"]
        assert {"$ref": "#/components/schemas/EchoParams"} in body["anyOf"]
        assert spec["components"]["schemas"]["EchoParams"]["properties"]["times"]["maximum"] == 3
        assert "/api/projects/{project}/stages/test.echo/estimate" in spec["paths"]

        started = api.post("/api/projects/p/stages/test.echo", json={"times": 2, "loud": True})
        assert started.status_code == 202, started.text
        assert (started.json()["type"], started.json()["params"]) == (
            "test.echo",
            {"times": 2, "loud": True},
        )
        bad = api.post("/api/projects/p/stages/test.echo", json={"times": 9})
        assert bad.status_code == 422 and bad.json()["kind"] == "invalid_request"
        unknown = api.post("/api/projects/p/stages/test.echo", json={"colour": "red"})
        assert unknown.status_code == 422
        estimate = api.post("/api/projects/p/stages/test.echo/estimate", json={"times": 3})
        assert estimate.json()["items"] == 3
        listed = api.get("/api/stages").json()
        echo_info = next(info for info in listed if info["name"] == "test.echo")
        assert echo_info["label"] == {"en": "Echo", "zh": "回声"}
        assert echo_info["params"]["properties"]["word"]["maxLength"] == 20


def test_a_new_stage_runs_from_python(echo: type[Echo], tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        project = workspace.project("p", create=True)
        summary = project.run_stage("test.echo", times=3, word="yo")
        assert (summary.total, summary.succeeded) == (3, 3)
        assert project.estimate("test.echo", times=2).items == 2
        with pytest.raises(InputError, match="times"):
            project.run_stage("test.echo", times=0)
        with pytest.raises(InputError, match="colour"):
            project.run_stage("test.echo", colour="red")


def test_a_stage_gone_from_the_registry_is_gone_everywhere(app: App, cli: Cli) -> None:
    with registered(Echo):
        pass
    cli("project", "create", "p")
    assert cli("stage", "test.echo", "-p", "p").exit_code != 0
    assert "test.echo" not in [info["name"] for info in cli.json("stage", "list")]

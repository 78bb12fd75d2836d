"""Shared fixtures: an isolated data home per test, the app on it, and a CLI runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from easy_dataset.cli import app as cli_app
from easy_dataset.config import Settings
from easy_dataset.llm.breaker import reset_all
from easy_dataset.services import App
from tests.fake_openai import FakeOpenAI


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EASY_DATASET_HOME", "EASY_DATASET_DATABASE_URL", "EASY_DATASET_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    # Circuit breakers are per process: one test's dead endpoint must not open another's.
    reset_all()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def app(home: Path) -> Iterator[App]:
    instance = App(Settings.load(home=home))
    yield instance
    instance.close()


class Cli:
    """Runs `easy-dataset --home HOME ...` in-process and decodes --json output."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(
            cli_app, ["--home", str(self.home), *args], input=input, catch_exceptions=False
        )

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(home: Path) -> Cli:
    return Cli(home)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible server, without faults, on a port chosen at run time."""
    with FakeOpenAI() as server:
        yield server

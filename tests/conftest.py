"""Shared fixtures: an isolated data home per test, the app on it, and a CLI runner; and the
markers: every tests/test_ui_* test is `browser`, and a test that runs the embedded model
must be marked `embedded` (it fails otherwise), so `-m "not ..."` leaves out what it says."""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner, Result

from easy_dataset.cli import app as cli_app
from easy_dataset.config import Settings
from easy_dataset.llm import local
from easy_dataset.llm.breaker import reset_all
from easy_dataset.services import App
from tests.browser import browser, page, server  # noqa: F401 (one definition for every module)
from tests.db_template import seeded_home
from tests.fake_openai import FakeOpenAI


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name.startswith("test_ui_"):
            item.add_marker(pytest.mark.browser)
    if hasattr(config, "workerinput"):
        # An xdist worker: modules are handed out in this order.
        rank = _module_ranks(items)
        items.sort(key=lambda item: (rank[item.path], _longest_first(item)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing and collecting made (hundreds of thousands of objects: the package,
    FastAPI, NiceGUI, the test modules) lives to the end of the run. Frozen, the cyclic
    garbage collector stops walking it again at every collection, and a larger first
    generation collects less often: about a tenth less time for the tests that follow."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a module, once its fixtures are gone, freeze again what it left: libraries it
    imported on use (torch, transformers: millions of objects) would otherwise be walked by
    every later collection, and by NiceGUI at every app start."""
    yield
    if nextitem is not None and nextitem.path != item.path:
        gc.collect()
        gc.freeze()


def _module_ranks(items: list[pytest.Item]) -> dict[Path, tuple[int, float]]:
    """The order modules start in: the embedded-model ones first, so that no worker is left
    with one at the end; then the others, the slow ones first, with the browser modules
    spread evenly among them instead of coming last by name, so that the run's end is a mix
    of short modules of both kinds."""
    kinds: dict[Path, int] = {}
    for item in items:
        kinds[item.path] = min(_longest_first(item), kinds.get(item.path, 2))
    embedded = [path for path, kind in kinds.items() if kind == 0]
    pages = [path for path in kinds if path.name.startswith("test_ui_")]
    others = sorted(  # a stable sort of lists, never of sets: every worker needs this order
        (path for path, kind in kinds.items() if kind > 0 and path not in pages),
        key=lambda path: kinds[path],
    )
    ranks = {path: (0, float(index)) for index, path in enumerate(embedded)}
    for group in (others, pages):
        ranks.update({path: (1, (index + 0.5) / len(group)) for index, path in enumerate(group)})
    return ranks


def _longest_first(item: pytest.Item) -> int:
    if item.get_closest_marker("embedded") is not None:
        return 0
    return 1 if item.get_closest_marker("slow") is not None else 2


@pytest.fixture(autouse=True, scope="session")
def _cli_built_once() -> Iterator[None]:
    """Typer turns the app into click commands on every invoke, reading every annotation
    again (a tenth of a second for this CLI); the commands it builds never change, and the
    stage commands are looked up in the registry at each call, so one build serves all."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.main.get_command))
        yield


@pytest.fixture(autouse=True, scope="session")
def _native_thread_pools_of_one() -> Iterator[None]:
    """llama.cpp's threads meet at a barrier after every step: with one thread per core and
    other test workers on those cores, each step waits for a thread that is not running and
    generation slows twentyfold. One thread runs at the same pace whatever else runs. The
    same holds for torch's OpenMP threads (read when torch is first imported, on use)."""
    with pytest.MonkeyPatch.context() as patch:
        # The environment, so that commands the tests start as processes inherit it too.
        patch.setenv(local.THREADS_ENV, "1")
        patch.setenv("OMP_NUM_THREADS", "1")
        yield


@pytest.fixture(autouse=True)
def _embedded_model_only_when_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.get_closest_marker("embedded") is not None:
        yield
        return
    used: list[Path] = []
    engine = local._engine

    def recorded(path: Path) -> local._Engine:
        used.append(path)
        return engine(path)

    monkeypatch.setattr(local, "_engine", recorded)
    yield
    assert not used, "this test runs the embedded model: mark it @pytest.mark.embedded"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EASY_DATASET_HOME", "EASY_DATASET_DATABASE_URL", "EASY_DATASET_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    # Circuit breakers are per process: one test's dead endpoint must not open another's.
    reset_all()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data home holding a new database (a copy of one migrated once per process)."""
    return seeded_home(tmp_path / "home")


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
    with FakeOpenAI() as running:
        yield running

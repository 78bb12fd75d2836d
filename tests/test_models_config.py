"""Model configurations: storage per project, the default, and keys kept apart."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from tests.conftest import Cli

SECRET = "sk-test-0123456789abcdef"


@pytest.fixture
def project(app: App) -> str:
    projects.create_project(app, "p")
    return "p"


def test_first_configuration_is_default(app: App, project: str) -> None:
    first = models.add_model(app, project, ModelConfig(name="a", provider="openai", model="m1"))
    second = models.add_model(app, project, ModelConfig(name="b", provider="ollama", model="m2"))
    assert first.is_default and not second.is_default
    assert second.base_url == "http://127.0.0.1:11434/v1"
    models.set_default(app, project, "b")
    assert [v.is_default for v in models.list_models(app, project)] == [False, True]
    models.remove_model(app, project, "b")
    assert [(v.name, v.is_default) for v in models.list_models(app, project)] == [("a", True)]


def test_add_with_default_flag_moves_it(app: App, project: str) -> None:
    models.add_model(app, project, ModelConfig(name="a", model="m"))
    models.add_model(app, project, ModelConfig(name="b", model="m"), make_default=True)
    assert models.resolve_model(app, project).config.name == "b"


def test_without_configuration_the_embedded_model_is_used(app: App, project: str) -> None:
    resolved = models.resolve_model(app, project)
    assert resolved.config.provider == "local" and resolved.model_config_id is None


def test_errors(app: App, project: str) -> None:
    models.add_model(app, project, ModelConfig(name="a", model="m"))
    with pytest.raises(ConflictError):
        models.add_model(app, project, ModelConfig(name="a", model="other"))
    with pytest.raises(NotFoundError):
        models.set_default(app, project, "ghost")
    with pytest.raises(InputError, match="temperature"):
        models.parse_config({"name": "x", "model": "m", "temperature": 7})
    with pytest.raises(InputError, match="empty"):
        models.add_model(app, project, ModelConfig(name="k", model="m"), api_key="  ")


def test_key_is_stored_apart_and_never_shown(app: App, project: str) -> None:
    view = models.add_model(
        app, project, ModelConfig(name="a", provider="openai", model="m"), api_key=SECRET
    )
    assert view.has_key and view.key_hint == "…cdef"
    assert SECRET not in view.model_dump_json()
    assert SECRET not in json.dumps(
        [v.model_dump(mode="json") for v in models.list_models(app, project)]
    )
    with app.db.engine.connect() as connection:
        settings = connection.execute(text("SELECT settings FROM model_configs")).scalar()
        stored = connection.execute(text("SELECT api_key FROM model_secrets")).scalar()
    assert SECRET not in settings and stored == SECRET
    assert models.resolve_model(app, project, "a").api_key == SECRET


def test_removing_a_project_removes_its_keys(app: App, project: str) -> None:
    models.add_model(app, project, ModelConfig(name="a", model="m"), api_key=SECRET)
    projects.delete_project(app, project)
    with app.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM model_secrets")).scalar() == 0


def test_cli_add_list_remove(cli: Cli) -> None:
    cli("project", "create", "p")
    added = cli(
        "models",
        "add",
        "main",
        "-p",
        "p",
        "--provider",
        "deepseek",
        "--model",
        "deepseek-chat",
        "--temperature",
        "0.3",
        "--max-tokens",
        "900",
        "--header",
        "X-Team=data",
        "--concurrency",
        "16",
        "--api-key-stdin",
        "--json",
        input=SECRET + "\n",
    )
    assert added.exit_code == 0, added.output
    assert SECRET not in added.stdout
    view = json.loads(added.stdout)
    assert view["config"]["extra_headers"] == {"X-Team": "data"}
    assert view["base_url"] == "https://api.deepseek.com/v1" and view["is_default"]
    listing = cli("models", "list", "-p", "p")
    assert "deepseek-chat" in listing.stdout and SECRET not in listing.stdout
    assert "…cdef" in listing.stdout
    bad = cli("models", "add", "x", "-p", "p", "--model", "m", "--header", "nonsense")
    assert bad.exit_code == 1 and "NAME=VALUE" in bad.stderr
    assert cli("models", "remove", "main", "-p", "p").exit_code == 0
    assert cli.json("models", "list", "-p", "p") == []


def test_custom_provider_needs_a_base_url(app: App, project: str) -> None:
    from easy_dataset.errors import ConfigError

    with pytest.raises(ConfigError, match="has no base URL; set one"):
        models.add_model(app, project, ModelConfig(name="c", provider="custom", model="m"))
    assert models.list_models(app, project) == []

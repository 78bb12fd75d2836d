"""Editing a stored model configuration from the service, the CLI and REST: the settings
slow and local models need (max tokens, timeout, sampling, structured output) change, the
rest and the stored key are kept; the edited settings are what the next job sends; the
timeout error names the setting."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.llm.retry import classify
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, files, jobs, models, projects, stages
from easy_dataset.services.quality_settings import get_quality_settings, update_quality_settings
from easy_dataset.store.models import Job
from easy_dataset.types import ChunkSettings
from tests.api_support import api_client, ok, refused
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.helpers import GUIDE, write

KEY = "sk-stored-key-123456"


def _project(app: App, base_url: str = "http://127.0.0.1:9/v1") -> None:
    projects.create_project(app, "p")
    config = ModelConfig(name="llama", provider="custom", base_url=base_url, model="m")
    models.add_model(app, "p", config, api_key=KEY)


def test_edit_changes_settings_and_keeps_the_key(app: App) -> None:
    _project(app)
    view = models.update_model(
        app,
        "p",
        "llama",
        {"max_tokens": 512, "timeout": 600, "temperature": 0.3, "top_p": 0.9},
    )
    config = view.config
    assert (config.max_tokens, config.timeout, config.temperature, config.top_p) == (
        512,
        600,
        0.3,
        0.9,
    )
    assert config.model == "m" and config.structured == "auto"
    assert view.has_key and view.key_hint == "…3456"
    assert models.resolve_model(app, "p").api_key == KEY
    # None clears an optional setting back to its default
    cleared = models.update_model(app, "p", "llama", {"temperature": None, "timeout": None})
    assert cleared.config.temperature is None and cleared.config.timeout == 120.0
    assert cleared.config.max_tokens == 512


def test_edit_key_rename_default_and_refusals(app: App) -> None:
    _project(app)
    models.add_model(
        app, "p", ModelConfig(name="other", provider="custom", base_url="http://x/v1", model="o")
    )
    view = models.update_model(app, "p", "llama", {}, api_key="sk-new-key-abcdefgh")
    assert models.resolve_model(app, "p", "llama").api_key == "sk-new-key-abcdefgh"
    assert view.key_hint == "…efgh"
    view = models.update_model(app, "p", "llama", {}, clear_key=True)
    assert not view.has_key and models.resolve_model(app, "p", "llama").api_key is None
    renamed = models.update_model(app, "p", "llama", {"name": "llama-cpp"})
    assert renamed.name == "llama-cpp" and renamed.config.name == "llama-cpp"
    assert [v.name for v in models.list_models(app, "p")] == ["llama-cpp", "other"]
    made = models.update_model(app, "p", "other", {}, make_default=True)
    assert made.is_default
    assert models.resolve_model(app, "p").config.name == "other"
    with pytest.raises(ConflictError):
        models.update_model(app, "p", "other", {"name": "llama-cpp"})
    with pytest.raises(InputError, match="timeout"):
        models.update_model(app, "p", "other", {"timeout": -1})
    with pytest.raises(InputError, match="no model setting"):
        models.update_model(app, "p", "other", {"colour": "red"})
    with pytest.raises(InputError, match="cannot be cleared"):
        models.update_model(app, "p", "other", {"model": None})
    # nothing was half-saved by the refusals
    assert models.resolve_model(app, "p", "other").config.timeout == 120.0


def test_edited_settings_are_sent_by_the_next_job(app: App, tmp_path: Path) -> None:
    settings = ChunkSettings(strategy="fixed", size=400, overlap=0)
    projects.create_project(app, "p", chunking=settings)
    from easy_dataset.services import files

    files.add_files(app, "p", [write(tmp_path / "guide.md", GUIDE)])
    with FakeOpenAI() as fake:
        config = ModelConfig(name="llama", provider="custom", base_url=fake.base_url, model="m")
        models.add_model(app, "p", config)
        # "custom" asks for JSON in the prompt unless told to send the schema
        models.update_model(
            app, "p", "llama", {"structured": "json_schema", "max_tokens": 300, "top_p": 0.5}
        )
        stages.run_stage(app, "p", "questions.generate")
        bodies = fake.stats().bodies()
    assert bodies
    for body in bodies:
        assert body["response_format"]["type"] == "json_schema"
        assert body["max_tokens"] == 300 and body["top_p"] == 0.5


def test_models_edit_command(cli: Cli, app: App) -> None:
    _project(app)
    edited = cli.json(
        "models",
        "edit",
        "llama",
        "-p",
        "p",
        "--max-tokens",
        "256",
        "--timeout",
        "300",
        "--structured",
        "json_schema",
        "--temperature",
        "0.2",
    )
    assert edited["config"]["max_tokens"] == 256 and edited["config"]["timeout"] == 300
    assert edited["config"]["structured"] == "json_schema" and edited["has_key"]
    plain = cli("models", "edit", "llama", "-p", "p", "--unset", "temperature")
    assert plain.exit_code == 0, plain.output
    assert "timeout 300 s" in plain.stdout and "temperature default" in plain.stdout
    assert models.resolve_model(app, "p").api_key == KEY
    assert models.resolve_model(app, "p").config.temperature is None
    nothing = cli("models", "edit", "llama", "-p", "p")
    assert nothing.exit_code == 1 and "nothing to change" in nothing.stderr
    bad = cli("models", "edit", "llama", "-p", "p", "--top-p", "3")
    assert bad.exit_code == 1 and "top_p" in bad.stderr
    assert "300 s" in cli("models", "list", "-p", "p").stdout
    (listed,) = cli.json("models", "list", "-p", "p")
    assert listed["config"]["structured"] == "json_schema"


def test_patch_model(tmp_path: Path) -> None:
    with api_client(tmp_path / "home") as client:
        ok(client.post("/api/projects", json={"name": "p"}), 201)
        model = {"name": "llama", "provider": "custom", "base_url": "http://x/v1", "model": "m"}
        ok(client.post("/api/projects/p/models", json={**model, "api_key": KEY}), 201)
        view = ok(
            client.patch(
                "/api/projects/p/models/llama",
                json={"timeout": 900, "max_tokens": 128, "structured": "json_object"},
            )
        )
        assert view["config"]["timeout"] == 900 and view["config"]["max_tokens"] == 128
        assert view["config"]["structured"] == "json_object"
        assert view["has_key"] and view["key_hint"] == "…3456"
        assert KEY not in str(view)
        cleared = ok(client.patch("/api/projects/p/models/llama", json={"max_tokens": None}))
        assert cleared["config"]["max_tokens"] is None
        assert cleared["config"]["timeout"] == 900
        refused(client.patch("/api/projects/p/models/llama", json={"top_p": 5}), 422)
        refused(client.patch("/api/projects/p/models/llama", json={"colour": "red"}), 422)
        refused(client.patch("/api/projects/p/models/nope", json={"timeout": 5}), 404)


def test_the_timeout_error_names_the_setting() -> None:
    config = ModelConfig(name="llama", provider="custom", base_url="http://x/v1", model="m")
    request = httpx.Request("POST", "http://x/v1/chat/completions")
    error = classify(openai.APITimeoutError(request), config, "http://x/v1")
    assert error.kind == "timeout"
    message = str(error)
    assert "timeout setting" in message and "120 s" in message
    assert "`timeout`" not in message  # not a name only the CLI's flags would explain


def test_a_rename_is_followed_by_the_judge_setting_and_waiting_jobs(
    app: App, tmp_path: Path
) -> None:
    _project(app)
    files.add_files(app, "p", [write(tmp_path / "guide.md", GUIDE)])
    update_quality_settings(app, "p", judge_model="llama")
    waiting = stages.start_stage(app, "p", "questions.generate", model="llama")
    models.update_model(app, "p", "llama", {"name": "qwen"})
    assert get_quality_settings(app, "p").judge_model == "qwen"
    assert jobs.show_job(app, waiting).job.params["model"] == "qwen"
    assert models.resolve_model(app, "p", "qwen").config.model == "m"
    # A job running with the configuration holds its name until it ends.
    with app.db.session() as session:
        session.get(Job, waiting).status = "running"  # type: ignore[union-attr]
    with pytest.raises(ConflictError, match="running"):
        models.update_model(app, "p", "qwen", {"name": "other"})
    assert [view.name for view in models.list_models(app, "p")] == ["qwen"]

"""Hostile references, headers and names get a clear refusal (4xx), never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from easy_dataset.errors import ConfigError, NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, files, models, projects
from easy_dataset.store.models import ModelConfigRow
from easy_dataset.text_safety import visible_name
from tests.api_support import api_client, ok, refused
from tests.helpers import write


@pytest.mark.parametrize("ref", ["99999999999999999999", "9223372036854775808", "²", "①", "٣"])
def test_odd_project_references_are_not_found(app: App, ref: str) -> None:
    projects.create_project(app, "real")
    with pytest.raises(NotFoundError):
        projects.get_project(app, ref)


def test_a_name_made_of_unicode_digits_is_a_name(app: App) -> None:
    created = projects.create_project(app, "①")
    assert projects.get_project(app, "①").id == created.id


@pytest.mark.parametrize("ref", ["99999999999999999999", "%C2%B2", "%E2%91%A0"])
def test_rest_answers_odd_project_references_with_404(home: Path, ref: str) -> None:
    with api_client(home) as client:
        answer = client.get(f"/api/projects/{ref}")
    assert answer.status_code == 404, answer.text
    assert answer.json()["kind"] == "not_found"


@pytest.mark.parametrize(
    "headers",
    [{"X-Key": "caf\u00e9"}, {"X-Key": "a\r\nX-Evil: 1"}, {"Bad Name": "v"}, {"Host": "x"}],
)
def test_bad_extra_headers_are_refused_when_saved(home: Path, headers: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ModelConfig(name="m", model="x", extra_headers=headers)
    with api_client(home) as client:
        ok(client.post("/api/projects", json={"name": "p"}), 201)
        body = {"name": "m", "provider": "custom", "model": "x", "extra_headers": headers}
        body["base_url"] = "http://127.0.0.1:9/v1"
        answer = client.post("/api/projects/p/models", json=body)
    assert answer.status_code == 422, answer.text
    assert "extra_headers" in answer.json()["detail"]


def test_the_key_variable_must_be_named_for_an_api_key(home: Path) -> None:
    # Else whoever saves a configuration could send any server secret to a host of theirs.
    for name in ("DATABASE_PASSWORD", "HOME", "AWS_SECRET_ACCESS_KEY", "X_API_KEY; rm"):
        with pytest.raises(ValidationError, match="API_KEY"):
            ModelConfig(name="m", model="x", api_key_env=name)
    assert ModelConfig(name="m", model="x", api_key_env="TEAM_API_KEY").api_key_env
    with api_client(home) as client:
        ok(client.post("/api/projects", json={"name": "p"}), 201)
        body = {"name": "m", "provider": "custom", "model": "x", "api_key_env": "PATH"}
        body["base_url"] = "http://127.0.0.1:9/v1"
        assert "api_key_env" in refused(client.post("/api/projects/p/models", json=body), 422)
        assert ok(client.get("/api/projects/p/models"))["total"] == 0


def test_a_stored_configuration_broken_by_a_newer_rule_is_shown_not_used(
    app: App, home: Path
) -> None:
    project = projects.create_project(app, "p")
    config = ModelConfig(name="m", provider="custom", base_url="http://127.0.0.1:9/v1", model="x")
    models.add_model(app, project.id, config)
    with app.db.session() as session:  # as saved before headers were checked
        row = session.scalars(select(ModelConfigRow)).one()
        row.settings = {**row.settings, "extra_headers": {"X-Key": "a\r\nX-Evil: 1"}}
    [view] = models.list_models(app, project.id)
    assert view.problem is not None and "extra_headers" in view.problem
    with pytest.raises(ConfigError, match="edit it or remove it"):
        models.resolve_model(app, project.id)
    with api_client(home) as client:
        [listed] = ok(client.get("/api/projects/p/models"))["items"]
        assert "extra_headers" in listed["problem"]
        refused(client.post("/api/projects/p/models/m/test"), 422, "invalid_config")
        ok(client.delete("/api/projects/p/models/m"))
    assert models.list_models(app, project.id) == []


def test_plain_headers_are_kept() -> None:
    config = ModelConfig(name="m", model="x", extra_headers={"X-Title": "My app\tv1"})
    assert config.extra_headers == {"X-Title": "My app\tv1"}


def test_bidi_controls_are_removed_from_file_names(app: App, tmp_path: Path) -> None:
    assert visible_name("a\u202eb\u2066c\u200fd\u200de") == "abcd\u200de"
    project = projects.create_project(app, "p")
    document = write(tmp_path / "invoice\u202egpj.exe.md", "# Invoice\n\nTotal due: 12.")
    [outcome] = files.add_files(app, project.id, [document])
    assert outcome.status == "added", outcome.error
    [stored] = files.list_files(app, project.id)
    assert stored.name == "invoicegpj.exe.md"

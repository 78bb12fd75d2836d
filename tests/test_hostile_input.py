"""Hostile references, headers and names get a clear refusal (4xx), never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from easy_dataset.errors import NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, files, projects
from easy_dataset.text_safety import visible_name
from tests.api_support import api_client, ok
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

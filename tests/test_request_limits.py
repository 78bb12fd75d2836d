"""Request bodies, uploads and text fields have limits: over them is a 4xx and nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from easy_dataset.config import Settings
from easy_dataset.errors import ConfigError, InputError
from easy_dataset.export import ExportOptions
from easy_dataset.services import App, chunks, projects, tags
from easy_dataset.services.chunks import MAX_CHUNK_EDIT
from easy_dataset.services.projects import MAX_DESCRIPTION_LENGTH
from easy_dataset.services.tags import MAX_TAG_DESCRIPTION
from tests.api_support import api_client, ok, refused

MB = 1024 * 1024


def _stored_descriptions(client: object) -> list[str]:
    listed = ok(client.get("/api/projects"))  # type: ignore[attr-defined]
    return [project["description"] for project in listed["items"]]


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(home: Path) -> None:
    with api_client(home) as client:
        ok(client.post("/api/projects", json={"name": "p"}), 201)
        huge = {"description": "x" * (9 * MB)}  # over the default 8 MB
        answer = client.patch("/api/projects/p", json=huge)
        assert "8 MB" in refused(answer, 413, "too_large")
        assert _stored_descriptions(client) == [""]


def test_a_streamed_body_is_counted_as_it_arrives(home: Path) -> None:
    def body() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"name": "q", "description": "'
        for _ in range(3):
            yield b"y" * MB
        yield b'"}'

    with api_client(home, max_body_mb=2) as client:
        answer = client.post(
            "/api/projects", content=body(), headers={"content-type": "application/json"}
        )
        assert "2 MB" in refused(answer, 413, "too_large")
        assert ok(client.get("/api/projects"))["total"] == 0


def test_the_body_limit_is_a_setting(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EASY_DATASET_MAX_BODY_MB", "0.5")
    assert Settings.load(home=home).max_body_bytes == MB // 2
    monkeypatch.setenv("EASY_DATASET_MAX_BODY_MB", "lots")
    with pytest.raises(ConfigError, match="EASY_DATASET_MAX_BODY_MB"):
        Settings.load(home=home)


def test_an_upload_has_a_total_beyond_the_per_file_limit(home: Path) -> None:
    # Each file is under the per-file limit (1 MB); together they pass the request's (1.5 MB).
    files = [
        ("files", (f"part{n}.md", b"# Part\n\n" + b"word " * 180_000, "text/markdown"))
        for n in range(2)
    ]
    with api_client(home, max_file_mb=1, max_upload_mb=1.5) as client:
        ok(client.post("/api/projects", json={"name": "p"}), 201)
        answer = client.post("/api/projects/p/files", files=files)
        assert "per upload" in refused(answer, 413, "too_large")
        assert ok(client.get("/api/projects/p/files"))["total"] == 0
        # One of them alone goes in.
        added = ok(client.post("/api/projects/p/files", files=files[:1]))
        assert added["added"] == 1
    uploads = home / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_the_upload_total_is_never_below_one_file(home: Path) -> None:
    settings = Settings.load(home=home, max_file_mb=300, max_upload_mb=10)
    assert settings.max_upload_bytes == settings.max_file_bytes == 300 * MB
    # Two files of 150 MB pass the per-file limit of 200 MB but not the default total.
    default = Settings.load(home=home)
    assert default.max_file_bytes >= 150 * MB and default.max_upload_bytes < 300 * MB


def test_a_project_description_has_a_maximum(app: App, home: Path) -> None:
    long = "d" * (MAX_DESCRIPTION_LENGTH + 1)
    with pytest.raises(InputError, match="description"):
        projects.create_project(app, "p", description=long)
    project = projects.create_project(app, "p", description="short")
    with pytest.raises(InputError, match="description"):
        projects.update_project(app, project.id, description=long)
    assert projects.get_project(app, project.id).description == "short"
    with api_client(home) as client:
        refused(client.post("/api/projects", json={"name": "q", "description": long}), 422)
        refused(client.patch("/api/projects/p", json={"description": long}), 422)
        assert ok(client.get("/api/projects/p"))["description"] == "short"


def test_tag_descriptions_chunk_edits_and_export_texts_have_maxima(app: App) -> None:
    project = projects.create_project(app, "p")
    with pytest.raises(InputError, match="description"):
        tags.add_tag(app, project.id, "t", description="d" * (MAX_TAG_DESCRIPTION + 1))
    assert tags.tag_tree(app, project.id) == []
    with pytest.raises(InputError, match="at most"):
        chunks.edit_chunk(app, 1, "c" * (MAX_CHUNK_EDIT + 1), project_ref=project.id)
    with pytest.raises(ValueError, match="system_prompt"):
        ExportOptions(system_prompt="s" * 10_001)

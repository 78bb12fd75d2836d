"""The web UI's plumbing without a browser: mounting on many apps in one process, the
language and upload-limit routes, escaping, strings, and the services it added."""

from __future__ import annotations

import http.client
import json
import re
import string
from pathlib import Path

import pytest

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.server.ui.files import safe_upload_name
from easy_dataset.server.ui.i18n import LANGUAGES, STRINGS
from easy_dataset.server.ui.safe import render
from easy_dataset.services import App, files, models, projects
from tests.browser import LiveServer
from tests.helpers import GUIDE, write


def request(
    server: LiveServer, method: str, path: str, *, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_servers_one_after_another_serve_their_own_data(tmp_path: Path) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        with LiveServer(tmp_path / name) as server:
            projects.create_project(server.core, name)
            status, _, body = request(server, "GET", "/")
            assert status == 200 and name in body.decode()
            for other in {"Alpha", "Beta", "Gamma"} - {name}:
                assert other not in body.decode()
            status, _, body = request(server, "GET", "/api/health")
            assert status == 200 and json.loads(body)["status"] == "ok"


def test_api_paths_stay_json_and_pages_get_html(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "home") as server:
        status, headers, body = request(server, "GET", "/api/no-such-thing")
        assert status == 404 and json.loads(body)["kind"] == "not_found"
        status, headers, body = request(server, "GET", "/no-such-page")
        assert status == 404 and headers["content-type"].startswith("text/html")


def test_language_route_sets_a_cookie_and_never_leaves_the_site(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "home") as server:
        status, headers, _ = request(server, "GET", "/_ui/language/zh?next=%2Fprojects%2F1%2Ffiles")
        assert status == 303 and headers["location"] == "/projects/1/files"
        assert headers["set-cookie"].startswith("easy_dataset_lang=zh;")
        hostile = (
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/%09/evil.example",
        )
        for target in hostile:
            status, headers, _ = request(server, "GET", f"/_ui/language/en?next={target}")
            assert headers["location"] == "/"
        status, headers, _ = request(server, "GET", "/_ui/language/xx")
        assert status == 303 and "set-cookie" not in headers


def test_oversized_uploads_are_refused_before_reading(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "home", max_file_mb=1) as server:
        path = "/_nicegui/client/abc/upload/3"
        status, _, body = request(
            server, "POST", path, headers={"Content-Length": str(3 * 1024 * 1024)}
        )
        assert status == 413 and json.loads(body)["kind"] == "too_large"


def test_markdown_rendering_escapes_html() -> None:
    html = render("# T <img src=x onerror=alert(1)>\n\n<script>alert(2)</script> [a](javascript:x)")
    assert "<h1>" in html and "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "javascript" not in html
    assert render("`<b>` x<y") == "<p><code>&lt;b&gt;</code> x&lt;y</p>\n"
    assert '<a href="https://example.com/?a=1&amp;b=2"' in render(
        "[e](https://example.com/?a=1&b=2)"
    )


def test_every_string_has_both_languages_with_the_same_fields() -> None:
    fields = string.Formatter()
    for key, values in STRINGS.items():
        assert len(values) == len(LANGUAGES) and all(values), key
        # `{count|one|other}` (a plural) reads the field `count`.
        names = [
            {name.split("|")[0] for _, name, _, _ in fields.parse(value) if name}
            for value in values
        ]
        assert names[0] == names[1], key
        assert re.fullmatch(r"[a-z_]+(\.[a-z_][a-z0-9_]*)+", key), key


def test_upload_names_are_labels_only() -> None:
    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("C:\\Users\\me\\report.pdf") == "report.pdf"
    assert safe_upload_name("..") == "upload"
    assert safe_upload_name(".hidden.md") == "hidden.md"
    assert safe_upload_name("a\x00b\nc.md") == "abc.md"
    long = safe_upload_name("x" * 500 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")


def test_project_counts(app: App, tmp_path: Path) -> None:
    first = projects.create_project(app, "First")
    second = projects.create_project(app, "Second")
    files.add_files(app, first.id, [write(tmp_path / "guide.md", GUIDE)])
    counts = projects.project_counts(app)
    assert counts[first.id].files == 1 and counts[first.id].chunks >= 1
    assert counts[second.id] == projects.ProjectCounts()


def test_copy_model_configs(app: App) -> None:
    source = projects.create_project(app, "Source")
    target = projects.create_project(app, "Target")
    one = ModelConfig(name="one", provider="custom", base_url="http://a/v1", model="m")
    two = ModelConfig(name="two", provider="custom", base_url="http://b/v1", model="m")
    models.add_model(app, source.id, one, api_key="sk-one-secret-key")
    models.add_model(app, source.id, two, make_default=True)
    copied = models.copy_model_configs(app, source.id, target.id)
    assert [(v.name, v.is_default, v.has_key) for v in copied] == [
        ("one", False, True),
        ("two", True, False),
    ]
    assert models.resolve_model(app, target.id, "one").api_key == "sk-one-secret-key"
    with pytest.raises(ConflictError):
        models.copy_model_configs(app, source.id, target.id)
    assert len(models.list_models(app, target.id)) == 2
    with pytest.raises(InputError):
        models.copy_model_configs(app, source.id, source.id)

"""Which sites may talk to the server: the Host allowlist, the Origin / Sec-Fetch-Site rule
for changes and socket.io, the anti-framing headers. Odd access tokens are in
tests/test_server_token.py, servers with settings of their own in tests/test_server_settings.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from nicegui import core as nicegui_core
from starlette.websockets import WebSocketDisconnect
from typer.testing import CliRunner

import easy_dataset.server as server_package
from easy_dataset.cli import app as cli_app
from easy_dataset.config import Settings
from easy_dataset.server import create_app
from easy_dataset.server.sites import accepted_hosts, is_accepted, is_own_origin, split_host
from easy_dataset.services import projects
from tests.api_support import shared_server
from tests.db_template import seeded_home

BASE = "http://127.0.0.1"
SOCKET = "/_nicegui_ws/socket.io/?EIO=4&transport=polling"
# Absolute: the test client sends Host "testserver" for a relative WebSocket address.
WEBSOCKET = "ws://127.0.0.1/_nicegui_ws/socket.io/?EIO=4&transport=websocket"
SECURITY = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
TOKEN = "s3cret-token"


@pytest.fixture(autouse=True)
def _no_hosts_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EASY_DATASET_ALLOWED_HOSTS", raising=False)


def client_for(home: Path, **options: Any) -> TestClient:
    """A test client (not started) of the whole server; `allowed_hosts` goes to Settings."""
    settings = Settings.load(
        home=seeded_home(home), allowed_hosts=options.pop("allowed_hosts", None)
    )
    return TestClient(create_app(settings, **options), base_url=BASE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server for the module's tests on the default settings."""
    yield from shared_server(tmp_path_factory.mktemp("sites") / "home")


@pytest.fixture
def api(server: TestClient) -> TestClient:
    """The module's server holding one project, "secret-bees", whatever tests before made."""
    core = server.app.state.core  # type: ignore[attr-defined]
    for project in projects.list_projects(core):
        if project.name != "secret-bees":
            projects.delete_project(core, project.name)
    if project_names(server) != ["secret-bees"]:
        projects.create_project(core, "secret-bees")
    server.cookies.clear()
    return server


def assert_refused(response: Any, status: int, kind: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["kind"] == kind and isinstance(body["detail"], str), body
    return str(body["detail"])


def project_names(client: TestClient) -> list[str]:
    core = client.app.state.core  # type: ignore[attr-defined]
    return [project.name for project in projects.list_projects(core)]


# Host allowlist


def test_foreign_host_gets_no_project_data(api: TestClient, tmp_path: Path) -> None:
    response = api.get("/api/projects", headers={"host": "evil.example"})
    detail = assert_refused(response, 421, "unknown_host")
    home = api.app.state.core.settings.home  # type: ignore[attr-defined]
    assert "secret-bees" not in response.text and str(home) not in response.text
    assert "'evil.example'" in detail
    assert "--allow-host" in detail and "EASY_DATASET_ALLOWED_HOSTS" in detail
    # The names it answers to are not told to a rebinding page.
    assert "localhost" not in response.text and "127.0.0.1" not in response.text
    assert_refused(api.get("/", headers={"host": "evil.example:80"}), 421, "unknown_host")
    # A change under a rebound name is refused before it runs.
    created = api.post("/api/projects", json={"name": "rebound"}, headers={"host": "evil.example"})
    assert_refused(created, 421, "unknown_host")
    assert project_names(api) == ["secret-bees"]


@pytest.mark.parametrize(
    "host",
    [
        *("localhost", "localhost:1717", "LOCALHOST.", "127.0.0.1:9", "127.0.0.2"),
        *("[::1]:1717", "[::1]", "::1", "app.localhost:1717"),
    ],
)
def test_loopback_names_pass_with_or_without_port(api: TestClient, host: str) -> None:
    response = api.get("/api/projects", headers={"host": host})
    assert response.status_code == 200 and response.json()["total"] == 1, (host, response.text)


@pytest.mark.parametrize(
    "host",
    [
        *("evil.example:1717", "localhost.evil.example", "127.0.0.1.evil.example"),
        *("[2001:db8::1]", "localhost:abc", "localhost:99999", "[::1", "[::1]x", ":1717"),
        b"localhost:\xb9",  # a digit, but not an ASCII one
    ],
)
def test_foreign_or_malformed_hosts_are_refused(api: TestClient, host: str | bytes) -> None:
    raw = host if isinstance(host, bytes) else host.encode()
    assert_refused(api.get("/api/projects", headers={b"host": raw}), 421, "unknown_host")


def test_host_parsing_and_names() -> None:
    assert split_host("[::1]:8080") == ("::1", 8080)
    assert split_host("Example.COM.") == ("example.com", None)
    assert split_host("[::1]junk") is None and split_host("a:b:c") == ("a:b:c", None)
    assert accepted_hosts(["x.example:9", "x.example"], bind_host="::") == (
        "localhost",
        "127.0.0.1",
        "::1",
        "x.example",
    )
    assert accepted_hosts([], bind_host="[::]") == ("localhost", "127.0.0.1", "::1")
    assert is_accepted("127.9.9.9", ()) and not is_accepted("10.0.0.1", ("localhost",))


# Origin and Sec-Fetch-Site on changes


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://127.0.0.1:18090"},  # another port of this host
        {"origin": "http://localhost"},  # another name for this host is another origin
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"origin": "http://[::1"},
        {"origin": "file://"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "http://127.0.0.1", "sec-fetch-site": "same-site"},
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_changes_from_other_sites_are_refused(
    api: TestClient, method: str, headers: dict[str, str]
) -> None:
    # POST creates a project, the others would change or delete the one there is.
    path = "/api/projects" if method == "POST" else "/api/projects/secret-bees"
    response = api.request(method, path, json={"name": "x"}, headers=headers)
    assert_refused(response, 403, "cross_site")
    assert "access-control-allow-origin" not in response.headers
    assert project_names(api) == ["secret-bees"]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, the Python client, the CLI
        {"origin": "http://127.0.0.1"},
        {"origin": "http://127.0.0.1:80"},
        {"sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},
        {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"},
    ],
)
def test_changes_from_our_own_origin_pass(api: TestClient, headers: dict[str, str]) -> None:
    response = api.post("/api/projects", json={"name": "mine"}, headers=headers)
    assert response.status_code == 201, response.text


def test_own_origin_follows_the_host_header(api: TestClient) -> None:
    headers = {"host": "localhost:1717", "origin": "http://localhost:1717"}
    assert api.post("/api/projects", json={"name": "a"}, headers=headers).status_code == 201
    headers = {"host": "[::1]:1717", "origin": "http://[::1]:1717"}
    assert api.post("/api/projects", json={"name": "b"}, headers=headers).status_code == 201
    headers = {"host": "localhost:1717", "origin": "http://localhost:1718"}
    assert_refused(
        api.post("/api/projects", json={"name": "c"}, headers=headers), 403, "cross_site"
    )


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
def test_reads_are_not_subject_to_the_origin_rule(api: TestClient, headers: dict[str, str]) -> None:
    response = api.get("/api/projects", headers=headers)
    assert response.status_code == 200 and response.json()["total"] == 1
    # Readable by no other site: there is no CORS grant.
    assert "access-control-allow-origin" not in response.headers
    assert api.head("/api/projects", headers=headers).status_code not in (403, 421)


# No CORS, anywhere


def test_foreign_preflight_gets_no_allow_headers(api: TestClient) -> None:
    preflight = {
        "origin": "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    for path in ("/api/projects", "/api/projects/secret-bees/tags/import", SOCKET):
        response = api.options(path, headers=preflight)
        allow = [name for name in response.headers if name.startswith("access-control-allow")]
        assert allow == [], (path, response.headers)


def test_socket_polling_refuses_other_origins(api: TestClient) -> None:
    for headers in ({"origin": "http://evil.example"}, {"origin": "http://127.0.0.1:18090"}):
        for method in ("GET", "POST"):
            response = api.request(method, SOCKET, headers=headers, content=b"40")
            assert_refused(response, 403, "cross_site")
            assert "access-control-allow-origin" not in response.headers
    cross = api.get(SOCKET, headers={"sec-fetch-site": "same-site"})
    assert_refused(cross, 403, "cross_site")
    # Our own pages (and clients without an Origin) still connect.
    own = api.get(SOCKET, headers={"origin": BASE})
    assert own.status_code == 200 and own.text.startswith("0{"), own.text
    assert own.headers["access-control-allow-origin"] == BASE
    assert api.get(SOCKET).status_code == 200


def test_socket_server_checks_origins_itself() -> None:
    allowed = nicegui_core.sio.eio.cors_allowed_origins
    assert callable(allowed), "NiceGUI's cors_allowed_origins='*' was left in place"
    scope = {"type": "http", "scheme": "http", "headers": [(b"host", b"127.0.0.1:1717")]}
    environ = {"asgi.scope": scope}
    assert allowed("http://127.0.0.1:1717", environ)
    assert not allowed("http://evil.example", environ) and not allowed(None, environ)


def test_websocket_from_another_origin_is_closed(api: TestClient) -> None:
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "http://127.0.0.1:18090"},
        {"origin": "null"},
        {"host": "evil.example", "origin": "http://evil.example"},
    ):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            api.websocket_connect(WEBSOCKET, headers=headers),
        ):
            pass
        assert closed.value.code == 4403, headers
    # engine.io wants the Upgrade header, which the test client leaves out.
    own = {"origin": BASE, "upgrade": "websocket"}
    with api.websocket_connect(WEBSOCKET, headers=own) as connection:
        assert connection.receive_text().startswith("0{")


def test_own_origin_helper_rejects_odd_origins() -> None:
    scope = {"type": "http", "scheme": "https", "headers": [(b"host", b"example.com")]}
    assert is_own_origin("https://example.com", scope)
    assert is_own_origin("https://EXAMPLE.com:443", scope)
    for origin in ("null", "http://example.com", "https://example.com:8443", "ftp://example.com"):
        assert not is_own_origin(origin, scope), origin
    assert not is_own_origin("https://example.com", {"type": "http", "headers": []})


# Headers on every answer


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", {}),
        ("GET", "/api/projects", {}),
        ("GET", "/api/nothing-here", {}),
        ("GET", "/docs", {}),
        ("GET", "/api/projects", {"host": "evil.example"}),
        ("POST", "/api/projects", {"origin": "null"}),
    ],
)
def test_security_headers_on_every_answer(
    api: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = api.request(method, path, headers=headers)
    for name, value in SECURITY.items():
        assert response.headers.get_list(name) == [value], (path, name, response.headers)


# `easy-dataset serve`


def test_serve_passes_added_hosts_and_the_bound_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_create_app(settings: Settings, **options: Any) -> object:
        seen.update(settings=settings, **options)
        return object()

    monkeypatch.setattr(server_package, "create_app", fake_create_app)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(run=options))
    runner = CliRunner()
    home = str(tmp_path / "home")
    arguments = ["--home", home, "serve", "--host", "0.0.0.0", "--port", "0"]
    result = runner.invoke(
        cli_app, [*arguments, "--allow-host", "Box.Lan", "--allow-host", "data.example"]
    )
    assert result.exit_code == 0, result.output
    assert seen["settings"].allowed_hosts == ("box.lan", "data.example")
    assert seen["bind_host"] == "0.0.0.0" and seen["token"]  # off loopback: a token
    assert "box.lan, data.example" in result.output  # the names it answers to, shown
    monkeypatch.setenv("EASY_DATASET_ALLOWED_HOSTS", "env.example")
    result = runner.invoke(cli_app, ["--home", home, "serve", "--host", "::1", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert seen["settings"].allowed_hosts == ("env.example",) and seen["bind_host"] == "::1"
    assert "http://[::1]:0/" in result.output


def test_serve_refuses_an_unusable_token(tmp_path: Path) -> None:
    arguments = ["--home", str(tmp_path / "home"), "serve", "--port", "0", "--token"]
    for token in ("jé", "with space", "a;b", ""):
        result = CliRunner().invoke(cli_app, [*arguments, token])
        assert result.exit_code == 2, (token, result.output)

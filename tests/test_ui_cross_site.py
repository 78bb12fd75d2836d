"""Other sites in a real browser: a page on another port of 127.0.0.1, or under another
host name, sends the server no-cors fetches, an auto-submitted form and socket.io
connections; a DNS-rebinding page reaches the server under a foreign name. Nothing
changes, nothing is read, with or without the access-token cookie in the browser."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easy_dataset.jobs import run_job_sync
from easy_dataset.jobs.store import create_job
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, jobs, models, projects, tags
from tests import browser as harness
from tests.browser import Browser, LiveServer
from tests.job_handlers import RECORD, RecordingHandler

EVIL = "evil.test"  # resolved to 127.0.0.1 by this module's Chromium
APP_NAME = "app.test"  # another name for 127.0.0.1, added with allowed_hosts
TOKEN = "cross-site-token-1234"
ATTACKS = ("upload", "tags", "model", "retry")

ATTACK_PAGE = """<!doctype html>
<html><head><title>loading</title></head><body><script>
const T = "{target}", P = {project}, J = {job};
const results = {{}};
async function run() {{
  const opts = {{mode: 'no-cors', method: 'POST', credentials: 'include'}};
  const form = new FormData();
  form.append('files', new Blob(['# Planted\\n\\nA file from another site.'],
                                {{type: 'text/markdown'}}), 'planted.md');
  const sends = {{
    upload: fetch(`${{T}}/api/projects/${{P}}/files`, {{...opts, body: form}}),
    tags: fetch(`${{T}}/api/projects/${{P}}/tags/import`,
                {{...opts, headers: {{'Content-Type': 'text/plain'}}, body: 'Planted tag'}}),
    model: fetch(`${{T}}/api/projects/${{P}}/models/second/default`, opts),
    retry: fetch(`${{T}}/api/jobs/${{J}}/retry`, opts),
  }};
  for (const [name, sent] of Object.entries(sends)) {{
    try {{ await sent; results[name] = 'sent'; }} catch (error) {{ results[name] = String(error); }}
  }}
  try {{
    const reply = await fetch(`${{T}}/_nicegui_ws/socket.io/?EIO=4&transport=polling`,
                              {{credentials: 'include'}});
    results.polling = 'read: ' + (await reply.text()).slice(0, 60);
  }} catch (error) {{ results.polling = 'blocked'; }}
  results.socket = await new Promise((resolve) => {{
    const address = T.replace('http', 'ws') + '/_nicegui_ws/socket.io/?EIO=4&transport=websocket';
    const socket = new WebSocket(address);
    socket.onopen = () => {{ socket.close(); resolve('open'); }};
    socket.onerror = () => resolve('refused');
    setTimeout(() => resolve('no answer'), 5000);
  }});
  window.results = results;
  document.title = 'sent';
}}
run();
</script></body></html>
"""
FORM_PAGE = """<!doctype html>
<html><body>
<form id="attack" method="POST" enctype="text/plain"
      action="{target}/api/projects/{project}/tags/import">
  <input type="hidden" name="Form tag" value="planted">
</form>
<script>document.getElementById('attack').submit();</script>
</body></html>
"""


@dataclass
class Seen:
    """One request as the server got it, and the status it answered."""

    method: str
    path: str
    host: str
    origin: str
    cookie: bool
    status: int = 0


@dataclass
class Recorder:
    """An outermost ASGI middleware noting every HTTP request and its status."""

    app: ASGIApp
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        entry = Seen(
            scope.get("method", "WS"),
            scope["path"],
            headers.get("host", ""),
            headers.get("origin", ""),
            "easy_dataset_token=" in headers.get("cookie", ""),
        )
        self.seen.append(entry)

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            elif message["type"] == "websocket.close" and not entry.status:
                entry.status = 403  # closed before accepting: refused
            elif message["type"] == "websocket.accept":
                entry.status = 101
            await send(message)

        await self.app(scope, receive, noting)


class AttackSite:
    """Another site: a tiny http.server on a free port of 127.0.0.1, serving fixed pages."""

    def __init__(self, pages: dict[str, str]) -> None:
        body = {path: html.encode() for path, html in pages.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = body.get(self.path.split("?")[0])
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def __enter__(self) -> AttackSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="module")
def chrome() -> Iterator[webdriver.Chrome]:
    rules = f"--host-resolver-rules=MAP {EVIL} 127.0.0.1, MAP {APP_NAME} 127.0.0.1"
    driver = harness.chromium(rules)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Target:
    """A server with something to lose: a project, two models, a failed job."""

    server: LiveServer
    recorder: list[Seen]
    project_id: int
    job_id: int


@pytest.fixture
def make_target(tmp_path: Path) -> Callable[..., Target]:
    """Makes the target server (not started)."""

    def make(**options: Any) -> Target:
        return _target(tmp_path, **options)

    return make


def _target(tmp_path: Path, **options: Any) -> Target:
    # Jobs stay queued: a retried job would show as pending, not run and fail again.
    server = LiveServer(tmp_path / "home", run_jobs=False, **options)
    seen: list[Seen] = []
    server.app.add_middleware(Recorder, seen=seen)  # added last: it sees every request
    core = server.core
    project = projects.create_project(core, "Target")
    for name in ("first", "second"):
        config = ModelConfig(
            name=name, provider="custom", base_url="http://127.0.0.1:9/v1", model="m"
        )
        models.add_model(core, project.id, config)
    RecordingHandler.reset()
    job_id = create_job(core, RECORD, params={"n": 2, "p_fail": 1.0})
    run_job_sync(core, job_id)
    target = Target(server, seen, project.id, job_id)
    assert_untouched(target)
    return target


def assert_untouched(target: Target) -> None:
    """Through the services: no file, no tag, the same default model, the job not retried."""
    core = target.server.core
    assert files.list_files(core, target.project_id) == []
    assert tags.tag_tree(core, target.project_id) == []
    defaults = [
        view.name for view in models.list_models(core, target.project_id) if view.is_default
    ]
    assert defaults == ["first"]
    job = jobs.show_job(core, target.job_id, failures=0).job
    assert (job.status, job.failed, job.pending) == ("failed", 2, 0), job


def attack_pages(target: Target) -> dict[str, str]:
    values = {"target": target.server.url, "project": target.project_id, "job": target.job_id}
    return {"/": ATTACK_PAGE.format(**values), "/form": FORM_PAGE.format(**values)}


def run_attack(chrome: webdriver.Chrome, page_url: str, target: Target) -> dict[str, str]:
    """Open the attack page, wait until it has sent everything; what it saw."""
    page = Browser(chrome)
    chrome.get(page_url + "/")
    page.wait(lambda: chrome.title == "sent", timeout=30, what="the attack page to finish")
    results: dict[str, str] = chrome.execute_script("return window.results")
    chrome.get(page_url + "/form")  # submits itself: the browser lands on the server
    page.wait(
        lambda: chrome.current_url.startswith(target.server.url + "/api/"),
        what="the form to be submitted",
    )
    return results


def refused_attacks(target: Target) -> dict[str, list[int]]:
    """The statuses the server gave each attack request (so we know they arrived)."""
    paths = {
        "upload": f"/api/projects/{target.project_id}/files",
        "tags": f"/api/projects/{target.project_id}/tags/import",
        "model": f"/api/projects/{target.project_id}/models/second/default",
        "retry": f"/api/jobs/{target.job_id}/retry",
    }
    return {
        name: [seen.status for seen in target.recorder if seen.path == path]
        for name, path in paths.items()
    }


def assert_refused_everything(target: Target, results: dict[str, str]) -> None:
    assert_untouched(target)
    statuses = refused_attacks(target)
    # Every fetch reached the server and was refused; the form (tags) came as well.
    assert all(statuses[name] and set(statuses[name]) == {403} for name in ATTACKS), statuses
    assert len(statuses["tags"]) == 2, statuses
    assert results["polling"] == "blocked", results  # no CORS grant: nothing to read
    assert results["socket"] == "refused", results
    sockets = [
        seen
        for seen in target.recorder
        if seen.path.startswith("/_nicegui_ws/") and seen.origin != target.server.url
    ]
    assert sockets and {seen.status for seen in sockets} == {403}, sockets


@pytest.fixture
def fresh(chrome: webdriver.Chrome) -> webdriver.Chrome:
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return chrome


@pytest.mark.parametrize("attacker_host", ["127.0.0.1", EVIL])
def test_another_site_changes_nothing(
    fresh: webdriver.Chrome, make_target: Callable[..., Target], attacker_host: str
) -> None:
    target = make_target()
    with target.server, AttackSite(attack_pages(target)) as site:
        results = run_attack(fresh, f"http://{attacker_host}:{site.port}", target)
        assert_refused_everything(target, results)
        assert "cross_site" in fresh.page_source  # the form's answer, shown to the person


def test_another_port_changes_nothing_with_the_token_cookie(
    fresh: webdriver.Chrome, make_target: Callable[..., Target]
) -> None:
    target = make_target(token=TOKEN)
    with target.server, AttackSite(attack_pages(target)) as site:
        page = Browser(fresh, target.server.url)
        page.open(f"/?token={TOKEN}")  # the browser now holds the cookie for 127.0.0.1
        page.wait_text("Target")
        results = run_attack(fresh, f"http://127.0.0.1:{site.port}", target)
        assert_refused_everything(target, results)
        # SameSite=strict let the cookie travel from the other port: the Origin check held.
        carried = [
            seen for seen in target.recorder if seen.path.startswith("/api/") and seen.cookie
        ]
        assert {seen.method for seen in carried} == {"POST"}, carried


def test_dns_rebinding_gets_nothing(
    fresh: webdriver.Chrome, make_target: Callable[..., Target], tmp_path: Path
) -> None:
    target = make_target()
    with target.server:
        rebound = f"http://{EVIL}:{target.server.port}"
        fresh.get(rebound + "/")
        page = Browser(fresh)
        page.wait(lambda: "unknown_host" in page.text(), what="the refusal")
        assert "Target" not in page.text() and "--allow-host" in page.text()
        # The rebound page is same-origin with the server now: it may read what it gets.
        script = """
        const done = arguments[arguments.length - 1];
        (async () => {
          const listing = await fetch('/api/projects');
          const created = await fetch('/api/projects', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: '{"name": "rebound"}'});
          const socket = await new Promise((resolve) => {
            const ws = new WebSocket(location.origin.replace('http', 'ws')
              + '/_nicegui_ws/socket.io/?EIO=4&transport=websocket');
            ws.onopen = () => { ws.close(); resolve('open'); };
            ws.onerror = () => resolve('refused');
          });
          done({listing: listing.status, text: await listing.text(),
                created: created.status, socket});
        })();
        """
        seen = fresh.execute_async_script(script)
        assert (seen["listing"], seen["created"], seen["socket"]) == (421, 421, "refused"), seen
        assert "Target" not in seen["text"] and str(tmp_path) not in seen["text"]
        assert [project.name for project in projects.list_projects(target.server.core)] == [
            "Target"
        ]
        assert_untouched(target)


def test_a_name_added_by_the_user_serves_the_pages(fresh: webdriver.Chrome, tmp_path: Path) -> None:
    with LiveServer(tmp_path / "home", allowed_hosts=(APP_NAME,)) as server:
        projects.create_project(server.core, "Named")
        page = Browser(fresh, f"http://{APP_NAME}:{server.port}")
        page.open("/")  # the page and its socket.io connection, under the added name
        page.wait_text("Named")

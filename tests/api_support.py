"""Support for the REST API tests (no tests here): an app on a fresh data home, a project
wired to the fake model server, and waiting for jobs the server runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from easy_dataset.config import Settings
from easy_dataset.server import create_app
from easy_dataset.services import App, projects
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Job
from tests.db_template import seeded_home
from tests.test_generate_support import BEES, SMALL_CHUNKS

FINISHED = ("succeeded", "failed", "cancelled", "paused")  # nothing runs on from these
_SHARED: list[TestClient] = []  # the shared servers alive (one at most)


class Answer(Protocol):
    """What the tests read of a response (httpx's, whichever httpx the test client uses)."""

    status_code: int

    @property
    def text(self) -> str: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Any: ...

    def json(self) -> Any: ...


@contextmanager
def api_client(home: Path, *, token: str | None = None, **limits: Any) -> Iterator[TestClient]:
    """A client of the whole server on `home`, its lifespan (and job executor) running."""
    assert not _SHARED, "a module whose tests share a server starts no other (see shared_server)"
    settings = Settings.load(home=seeded_home(home), **limits)
    # A loopback address: the server refuses host names it does not know ("testserver").
    with TestClient(create_app(settings, token=token), base_url="http://127.0.0.1") as client:
        yield client


def shared_server(home: Path, **limits: Any) -> Iterator[TestClient]:
    """A server for a module's tests to share (a module fixture's body): starting one takes
    longer than most API tests. A test takes it through `fresh`. While it lives, the module
    starts no other server: NiceGUI is one per process, and a second one stopping would
    wait seconds on this one's tasks."""
    with api_client(home, **limits) as client:
        _SHARED.append(client)
        try:
            yield client
        finally:
            _SHARED.remove(client)


def fresh(client: TestClient, timeout: float = 60.0) -> TestClient:
    """The shared server as a new one is: no project, no cookie. Jobs an earlier test left
    running end first, so that none writes into the next test."""
    app = core(client)
    deadline = time.monotonic() + timeout
    while True:
        with app.db.session() as session:
            running = session.scalars(select(Job.id).where(Job.status.not_in(FINISHED))).all()
        if not running:
            break
        assert time.monotonic() < deadline, f"jobs {running} still running after {timeout} s"
        time.sleep(0.02)
    for project in projects.list_projects(app):
        projects.delete_project(app, project.id)
    client.cookies.clear()
    return client


def core(client: TestClient) -> App:
    """The application context the server's services run on."""
    app: App = client.app.state.core  # type: ignore[attr-defined]
    return app


def ok(response: Answer, status: int = 200) -> Any:
    """The JSON body, after checking the status."""
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Answer, status: int, kind: str | None = None) -> str:
    """The `detail` of an error answer, after checking its status (and kind)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if kind is not None:
        assert body["kind"] == kind, body
    return body["detail"]


def make_project(client: TestClient, base_url: str, *, name: str = "bees") -> None:
    """A project with the bee document in three chunks and the fake model as its default."""
    ok(
        client.post("/api/projects", json={"name": name, "chunking": SMALL_CHUNKS.model_dump()}),
        201,
    )
    added = ok(
        client.post(
            f"/api/projects/{name}/files",
            files=[("files", ("bees.md", BEES.encode(), "text/markdown"))],
        )
    )
    assert added["added"] == 1, added
    model = {"name": "fake", "provider": "custom", "base_url": base_url, "model": "m"}
    ok(client.post(f"/api/projects/{name}/models", json={**model, "max_retries": 0}), 201)


def wait_for_job(client: TestClient, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
    """The job's state once it has finished (the server's executor runs it)."""
    deadline = time.monotonic() + timeout
    while True:
        state = ok(client.get(f"/api/jobs/{job_id}"))
        if state["job"]["status"] in FINISHED and not state["queued"]:
            return dict(state)
        assert time.monotonic() < deadline, f"job {job_id} still {state['job']['status']}"
        time.sleep(0.05)


def seed_pairs(app: App, project_id: int, count: int, **values: Any) -> None:
    """`count` QA pairs inserted directly, numbered q0/a0, q1/a1..."""
    with app.db.session() as session:
        session.execute(
            insert(QAPair),
            [
                {"project_id": project_id, "question": f"q{i}", "answer": f"a{i}", **values}
                for i in range(count)
            ],
        )

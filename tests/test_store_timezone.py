"""Times are stored as UTC and come back aware: the API writes them with their zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from easy_dataset.config import Settings
from easy_dataset.jobs.workers import worker_gone
from easy_dataset.server import create_app
from easy_dataset.store.base import as_utc, utcnow
from easy_dataset.store.db import Database
from easy_dataset.store.models import LLMCall, Project
from tests.fuzz_support import BASE_URL, UNREACHABLE, no_proxies

PLUS_TWO = timezone(timedelta(hours=2))


def _aware(value: str) -> bool:
    return value.endswith(("Z", "+00:00"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield database
    database.close()


def test_utcnow_is_aware() -> None:
    assert utcnow().tzinfo is UTC
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_times_come_back_aware_in_utc_and_are_stored_as_naive_utc(db: Database) -> None:
    local = datetime(2026, 12, 2, 20, 0, 0, tzinfo=PLUS_TWO)
    with db.session() as session:
        session.add(Project(name="zoned", created_at=local))
        session.add(Project(name="naive", created_at=datetime(2026, 12, 2, 18, 0, 0)))
        session.add(Project(name="defaults"))
    with db.session() as session:
        rows = {row.name: row for row in session.scalars(select(Project))}
        raw = session.execute(text("SELECT name, created_at FROM projects"))
        stored = {name: value for name, value in raw}
    for row in rows.values():
        assert row.created_at.tzinfo is UTC and row.updated_at.tzinfo is UTC
    assert rows["zoned"].created_at == datetime(2026, 12, 2, 18, 0, 0, tzinfo=UTC)
    assert rows["naive"].created_at == rows["zoned"].created_at  # naive means UTC
    assert abs(rows["defaults"].created_at - utcnow()) < timedelta(minutes=1)
    # Same column contents as before: UTC wall time without a zone.
    assert stored["zoned"].startswith("2026-12-02 18:00:00")
    assert "+" not in stored["zoned"]


def test_comparisons_take_aware_and_naive_times(db: Database) -> None:
    with db.session() as session:
        session.add(Project(name="p", created_at=datetime(2026, 12, 2, 18, 0, tzinfo=UTC)))
    with db.session() as session:

        def count(since: datetime) -> int:
            query = select(Project.id).where(Project.created_at >= since)
            return len(session.scalars(query).all())

        assert count(datetime(2026, 12, 2, 19, 30, tzinfo=PLUS_TWO)) == 1  # 17:30 UTC
        assert count(datetime(2026, 12, 2, 20, 30, tzinfo=PLUS_TWO)) == 0  # 18:30 UTC
        assert count(datetime(2026, 12, 2, 17, 30)) == 1


def test_worker_gone_compares_aware_and_naive_times() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    recent = datetime(2026, 1, 1, 11, 59, 50)  # naive: UTC
    assert not worker_gone("elsewhere:1", recent, now)
    assert worker_gone("elsewhere:1", now - timedelta(minutes=5), now.replace(tzinfo=None))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings.load(home=tmp_path), run_jobs=False)
    with no_proxies(), TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def test_api_times_carry_their_zone(client: TestClient) -> None:
    project = client.post("/api/projects", json={"name": "bees"}).json()
    assert _aware(project["created_at"]), project
    assert _aware(client.get("/api/projects").json()["items"][0]["created_at"])
    model = {"name": "off", "provider": "custom", "base_url": UNREACHABLE, "model": "m"}
    assert client.post("/api/projects/bees/models", json={**model, "max_retries": 0}).is_success
    job = client.post("/api/projects/bees/stages/tags.build", json={}).json()
    assert _aware(job["created_at"]), job
    state = client.get(f"/api/jobs/{job['id']}").json()
    assert _aware(state["job"]["created_at"]), state
    listed = client.get("/api/jobs").json()["items"][0]
    assert _aware(listed["created_at"]), listed


def test_usage_rows_are_aware_and_filtered_in_utc(client: TestClient) -> None:
    assert client.post("/api/projects", json={"name": "bees"}).is_success
    model = {"name": "off", "provider": "custom", "base_url": UNREACHABLE, "model": "m"}
    assert client.post("/api/projects/bees/models", json={**model, "max_retries": 0}).is_success
    before = utcnow() - timedelta(seconds=1)
    report = client.post("/api/projects/bees/models/off/test").json()
    assert report["ok"] is False  # refused: nothing listens on 127.0.0.1:9
    core = client.app.state.core  # type: ignore[attr-defined]
    core.usage_recorder.flush()
    with core.db.session() as session:
        calls = session.scalars(select(LLMCall)).all()
    assert calls and all(call.created_at.tzinfo is UTC for call in calls)
    assert all(call.created_at >= before for call in calls)

    def calls_since(since: datetime) -> int:
        page = client.get("/api/usage", params={"since": since.isoformat()}).json()
        return sum(row["calls"] for row in page["items"])

    assert calls_since(before.astimezone(PLUS_TWO)) == len(calls)
    assert calls_since((utcnow() + timedelta(minutes=1)).astimezone(PLUS_TWO)) == 0
    assert calls_since(before.replace(tzinfo=None)) == len(calls)  # naive: UTC

"""A job killed with SIGKILL again and again resumes and ends with every item done once."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from easy_dataset.config import Settings
from easy_dataset.jobs import check_counts, create_job, find_interrupted
from easy_dataset.services import App
from easy_dataset.store.models import Job, JobItem
from tests.fake_openai import FakeOpenAI, Faults
from tests.job_handlers import RECORD, create_results_table, result_rows

ROOT = Path(__file__).resolve().parents[1]
ITEMS = 200
KILLS = 5
# A safety net against a hung worker, never a condition the test relies on.
PATIENCE = 60.0


def start_worker(home: Path, job_id: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.job_worker", str(home), str(job_id), "--resume"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def succeeded(app: App, job_id: int) -> int:
    with app.db.session() as session:
        return int(session.scalar(select(Job.succeeded).where(Job.id == job_id)) or 0)


def wait_for_progress(app: App, job_id: int, target: int, worker: subprocess.Popen[str]) -> bool:
    """Wait until `target` items are committed; False if the worker ended first."""
    deadline = time.monotonic() + PATIENCE
    while succeeded(app, job_id) < target:
        if worker.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the worker made no progress"
        time.sleep(0.002)
    return True


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(home: Path) -> None:
    app = App(Settings.load(home=home))
    create_results_table(app)
    rng = random.Random(20240501)
    with FakeOpenAI(Faults(latency=0.01)) as fake:
        job_id = create_job(
            app,
            RECORD,
            params={"n": ITEMS, "max_delay": 0.03, "base_url": fake.base_url, "concurrency": 8},
        )
        kills = 0
        for _ in range(KILLS):
            worker = start_worker(home, job_id)
            target = succeeded(app, job_id) + rng.randint(10, 30)
            if wait_for_progress(app, job_id, target, worker):
                worker.send_signal(signal.SIGKILL)
                kills += 1
            worker.wait()
            assert check_counts(app, job_id) == []
            assert find_interrupted(app) == [job_id]
        worker = start_worker(home, job_id)
        out, err = worker.communicate(timeout=PATIENCE)
        assert worker.returncode == 0, err
        calls = fake.stats().total  # counted as requests arrive, so none is missed

    assert kills == KILLS
    assert '"status": "succeeded"' in out
    assert check_counts(app, job_id) == []
    with app.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.total, job.succeeded, job.failed, job.pending) == (
            "succeeded",
            ITEMS,
            ITEMS,
            0,
            0,
        )
        attempts = session.scalars(select(JobItem.attempts).where(JobItem.job_id == job_id))
        assert set(attempts) == {1}
    rows = result_rows(app, job_id)
    assert len(rows) == ITEMS and set(rows.values()) == {1}
    # Calls in flight at each kill were lost and made again, never more than that.
    assert ITEMS <= calls <= ITEMS + KILLS * 8
    assert find_interrupted(app) == []
    app.close()

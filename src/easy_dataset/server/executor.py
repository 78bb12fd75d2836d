"""Runs the jobs the web app and the API start, on a background thread, one after another.

Jobs run one at a time because each job already keeps its model calls concurrent, and the
embedded model slows down badly when two runs share the CPU. Stopping the executor
interrupts the running job; it stays resumable and is picked up at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from easy_dataset.jobs import find_interrupted
from easy_dataset.jobs.lease import load_job
from easy_dataset.jobs.progress import Progress
from easy_dataset.jobs.runner import resume_job, run_job
from easy_dataset.services.app import App
from easy_dataset.store.base import utcnow

log = logging.getLogger(__name__)


class JobExecutor:
    """A queue of job ids and one worker thread with its own event loop."""

    def __init__(self, app: App) -> None:
        self.app = app
        # The latest progress of the jobs running here. A job's entry goes when it ends: SQLite
        # gives a new job the id of a deleted one, which must not show the old one's figures.
        self.progress: dict[int, Progress] = {}
        # Made in `start`: a server that runs no jobs leaves no loop to close.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, name="easy-dataset-jobs", daemon=True)
        self._queue: asyncio.Queue[tuple[int, bool, datetime]] | None = None
        self._queued: set[int] = set()
        self._consumer: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._listeners: list[Callable[[Progress], None]] = []

    def start(self, *, resume_interrupted: bool = True) -> None:
        """Start the worker thread; by default queue every job a stopped server left behind."""
        self._loop = asyncio.new_event_loop()
        self._thread.start()
        self._ready.wait()
        if resume_interrupted:
            for job_id in find_interrupted(self.app):
                self.submit(job_id, resume=True)

    def submit(self, job_id: int, *, resume: bool = False) -> None:
        """Queue a job to run after the ones already queued (a job queued twice runs once)."""
        self._call(self._put, job_id, resume)

    def subscribe(self, listener: Callable[[Progress], None]) -> None:
        """Call `listener` (on the worker thread) with every progress event."""
        self._listeners.append(listener)

    def queued(self) -> set[int]:
        return set(self._queued)

    def stop(self, timeout: float = 10.0) -> None:
        """Interrupt the running job (it stays resumable) and end the thread."""
        if self._loop is None or not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._shutdown)
        self._thread.join(timeout)

    def _call(self, func: Callable[..., None], *args: object) -> None:
        if self._loop is None:
            raise RuntimeError("the job executor was never started")
        done: Future[None] = Future()

        def run() -> None:
            try:
                func(*args)
                done.set_result(None)
            except BaseException as exc:
                done.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        done.result(timeout=5)

    def _put(self, job_id: int, resume: bool) -> None:
        assert self._queue is not None
        if job_id in self._queued:
            return
        self._queued.add(job_id)
        self._queue.put_nowait((job_id, resume, utcnow()))

    def _shutdown(self) -> None:
        # Cancelling the consumer cancels the job it awaits: the runner records it as
        # interrupted, so the next start resumes it.
        if self._consumer is not None:
            self._consumer.cancel()

    def _serve(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._consumer = self._loop.create_task(self._consume())
            self._loop.run_until_complete(self._consumer)
        except asyncio.CancelledError:
            pass
        finally:
            self._loop.close()

    def _report(self, progress: Progress) -> None:
        if progress.status == "running":
            self.progress[progress.job_id] = progress
        else:
            self.progress.pop(progress.job_id, None)
        for listener in self._listeners:
            try:
                listener(progress)
            except Exception:
                log.exception("a progress listener failed")

    def _cancelled_since(self, job_id: int, queued_at: datetime) -> bool:
        """Whether the job was cancelled while it waited here: it must not run then, though
        running a cancelled job is otherwise how its pending items are taken up again."""
        try:
            job = load_job(self.app, job_id)
        except Exception:
            log.exception("job %s vanished from the queue", job_id)
            return True
        finished = job.finished_at
        return job.status == "cancelled" and finished is not None and finished >= queued_at

    async def _consume(self) -> None:
        self._queue = asyncio.Queue()
        self._ready.set()
        while True:
            job_id, resume, queued_at = await self._queue.get()
            if self._cancelled_since(job_id, queued_at):
                self._queued.discard(job_id)
                continue
            runner = resume_job if resume else run_job
            try:
                await runner(self.app, job_id, on_progress=self._report)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The runner has recorded the crash on the job row; keep serving the others.
                log.exception("job %s stopped with an error", job_id)
            finally:
                self._queued.discard(job_id)
                self.progress.pop(job_id, None)  # a run that crashed sent no last event
                self.app.usage_recorder.flush()

"""Running a job: its pending items, a bounded number at a time, each committed as it lands."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from easy_dataset.errors import EndpointUnreachableError, InputError
from easy_dataset.jobs import lease, outcomes
from easy_dataset.jobs.env import JobEnv
from easy_dataset.jobs.handlers import JobContext, JobHandler, get_handler
from easy_dataset.jobs.progress import Progress, RateMeter, eta_seconds
from easy_dataset.jobs.workers import HEARTBEAT_SECONDS, current_worker
from easy_dataset.llm import breaker
from easy_dataset.llm.context import call_scope

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
POLL_SECONDS = 0.5  # how soon a cancel request is noticed while items are in flight

ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class JobSummary:
    """How a run left the job."""

    job_id: int
    status: str
    total: int
    succeeded: int
    failed: int
    pending: int
    error: str | None
    elapsed: float  # seconds this run took


class _Run:
    """The state of one run of one job: counters, in-flight workers, the stop signal."""

    def __init__(
        self,
        app: JobEnv,
        handler: JobHandler[Any],
        claim: lease.Claim,
        worker: str,
        concurrency: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.app = app
        self.handler = handler
        self.job = claim.job
        self.worker = worker
        self.concurrency = concurrency
        self.on_progress = on_progress
        self.ctx = JobContext(app, self.job.id, self.job.project_id, dict(self.job.params))
        self.items: Iterator[outcomes.PendingItem] = iter(claim.items)
        self.succeeded, self.failed, self.pending = (
            self.job.succeeded,
            self.job.failed,
            self.job.pending,
        )
        self.started = time.monotonic()
        self.meter = RateMeter(self.started)
        self.stop = asyncio.Event()
        self.ending: lease.Ending = "done"
        self.reason: str | None = None  # why the run paused
        self.watch_error: Exception | None = None
        self.processing: set[asyncio.Task[Any]] = set()  # workers inside handler.process
        self.stopped_by_us: set[asyncio.Task[Any]] = set()

    def progress(self, status: str = "running") -> Progress:
        now = time.monotonic()
        rate = self.meter.rate(now)
        return Progress(
            job_id=self.job.id,
            status=status,
            total=self.succeeded + self.failed + self.pending,
            succeeded=self.succeeded,
            failed=self.failed,
            pending=self.pending,
            in_flight=len(self.processing),
            rate=rate,
            eta_seconds=eta_seconds(self.pending, rate),
            elapsed=now - self.started,
        )

    def emit(self, status: str = "running") -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress(status))

    def halt(self, ending: lease.Ending, reason: str | None = None) -> None:
        """Start no more items and cancel those in flight; they stay pending."""
        if self.stop.is_set():
            return
        self.ending = ending
        self.reason = reason
        self.stop.set()
        for task in self.processing:
            self.stopped_by_us.add(task)
            task.cancel()

    def observe(self, cancel_requested: bool, owner: str | None) -> None:
        # Another owner means we were judged dead and the job was taken over: stop quietly
        # (`lease.finish` leaves a job we no longer hold alone).
        if cancel_requested or owner != self.worker:
            self.halt("cancelled")

    async def work(self) -> None:
        """One of `concurrency` workers: take the next pending item until none or stopped."""
        with call_scope(project_id=self.job.project_id, job_id=self.job.id):
            while not self.stop.is_set():
                item = next(self.items, None)
                if item is None:
                    return
                if not await self.do(item):
                    return

    async def do(self, item: outcomes.PendingItem) -> bool:
        """Process and record one item; False when the run was stopped mid-item."""
        task = asyncio.current_task()
        assert task is not None
        self.processing.add(task)
        try:
            result: dict[str, Any] | None = await self.handler.process(self.ctx, item.key)
            failure = None
        except asyncio.CancelledError:
            if task in self.stopped_by_us:
                return False  # cancelled by halt(): the item stays pending
            raise
        except EndpointUnreachableError as exc:
            # Not this item's fault: it stays pending and the whole job waits for the endpoint.
            self.halt("paused", str(exc))
            return False
        except Exception as exc:
            result, failure = None, outcomes.describe_failure(exc)
        finally:
            self.processing.discard(task)
        if task in self.stopped_by_us and failure is not None:
            return False  # a failure caused by our own cancellation is no failure
        self.record(item, result, failure)
        return True

    def record(
        self,
        item: outcomes.PendingItem,
        result: dict[str, Any] | None,
        failure: outcomes.Failure | None,
    ) -> None:
        """Commit one outcome, in the loop thread: measured, a writer thread cost more CPU
        per item (handoffs, GIL contention) than it saved, and bought no throughput."""
        if failure is None:
            assert result is not None
            try:
                done = outcomes.record_success(self.app, self.handler, self.job, item, result)
            except Exception as exc:
                # The handler could not store the result: nothing of it was kept, so the
                # item fails visibly and a retry does it again.
                described = outcomes.describe_failure(exc)
                failure = outcomes.Failure(
                    described.kind, f"could not save the result: {described.message}"
                )
        if failure is not None:
            done = outcomes.record_failure(self.app, self.job.id, item, failure)
        if done.applied:
            self.pending -= 1
            if failure is None:
                self.succeeded += 1
            else:
                self.failed += 1
            self.meter.add(time.monotonic())
        self.emit()
        self.observe(done.cancel_requested, done.worker)

    async def watch(self) -> None:
        """Notice cancel requests and a lost hold while items are slow; renew the heartbeat."""
        try:
            next_beat = time.monotonic() + HEARTBEAT_SECONDS
            while True:
                await asyncio.sleep(POLL_SECONDS)
                beat = time.monotonic() >= next_beat
                state = lease.watch(self.app, self.job.id, self.worker, beat=beat)
                if beat:
                    next_beat = time.monotonic() + HEARTBEAT_SECONDS
                self.observe(state.cancel_requested, self.worker if state.owned else None)
        except Exception as exc:
            # Without a watcher nobody would see a cancel request: stop the run, report why.
            self.watch_error = exc
            self.halt("crashed")

    async def run_items(self) -> None:
        watcher = asyncio.create_task(self.watch())
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(self.concurrency):
                    group.create_task(self.work())
        except BaseExceptionGroup as errors:
            # Callers expect the error itself; the group exists only because workers run in one.
            if len(errors.exceptions) == 1:
                raise errors.exceptions[0] from None
            raise
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        if self.watch_error is not None:
            raise self.watch_error

    def finish(self, ending: lease.Ending, crash: str | None = None) -> JobSummary:
        reason = self.reason if ending == "paused" else crash
        outcome = lease.finish(self.app, self.job.id, self.worker, ending, reason)
        self.succeeded, self.failed, self.pending = (
            outcome.succeeded,
            outcome.failed,
            outcome.pending,
        )
        self.emit(outcome.status)
        return JobSummary(
            job_id=self.job.id,
            status=outcome.status,
            total=outcome.total,
            succeeded=outcome.succeeded,
            failed=outcome.failed,
            pending=outcome.pending,
            error=outcome.error,
            elapsed=time.monotonic() - self.started,
        )


def _concurrency(requested: int | None, params: dict[str, Any]) -> int:
    value = requested if requested is not None else params.get("concurrency", DEFAULT_CONCURRENCY)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError(f"a job's concurrency must be a whole number from 1 up, not {value!r}")
    return value


def _crash_message(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _crash_message(exc.exceptions[0])
    text = " ".join(str(exc).split())
    return f"the job runner stopped: {type(exc).__name__}" + (f": {text}" if text else "")


async def _run(
    app: JobEnv,
    job_id: int,
    *,
    concurrency: int | None,
    on_progress: ProgressCallback | None,
    only_interrupted: bool,
) -> JobSummary:
    job = lease.load_job(app, job_id)
    handler = get_handler(job.type)  # an unknown type fails before the job is touched
    width = _concurrency(concurrency, job.params)
    worker = current_worker()
    # A new run asks every endpoint again, whatever an earlier run found.
    breaker.reset_all()
    claim = lease.claim(app, job_id, worker, only_interrupted=only_interrupted)
    run = _Run(app, handler, claim, worker, min(width, max(len(claim.items), 1)), on_progress)
    try:
        set_up = False
        try:
            with call_scope(project_id=run.job.project_id, job_id=job_id):
                await handler.setup(run.ctx)
            set_up = True
            run.emit()
            await run.run_items()
        finally:
            await _close(run, handler, set_up)
        return run.finish(run.ending)
    except asyncio.CancelledError:
        # The process is being stopped (Ctrl-C, server shutdown): the job stays resumable.
        _finish_quietly(run, "interrupted")
        raise
    except Exception as exc:
        _finish_quietly(run, "crashed", _crash_message(exc))
        raise


def _finish_quietly(run: _Run, ending: lease.Ending, crash: str | None = None) -> None:
    try:
        run.finish(ending, crash)
    except Exception:
        # The error that stopped the run is the one to report; this one only goes to the log.
        log.exception("could not record how job %s ended", run.job.id)


async def _close(run: _Run, handler: JobHandler[Any], set_up: bool) -> None:
    if set_up:
        try:
            with call_scope(project_id=run.job.project_id, job_id=run.job.id):
                await handler.teardown(run.ctx)
        except Exception:
            # Every item is already committed; a failing cleanup must not rewrite that.
            log.exception("teardown of job %s failed", run.job.id)


async def run_job(
    app: JobEnv,
    job_id: int,
    *,
    concurrency: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> JobSummary:
    """Run the job's pending items to the end, a cancel request, or the process stopping."""
    return await _run(
        app, job_id, concurrency=concurrency, on_progress=on_progress, only_interrupted=False
    )


async def resume_job(
    app: JobEnv,
    job_id: int,
    *,
    concurrency: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> JobSummary:
    """Run an interrupted job (see `find_interrupted`) on from where it stopped."""
    return await _run(
        app, job_id, concurrency=concurrency, on_progress=on_progress, only_interrupted=True
    )


def run_job_sync(
    app: JobEnv,
    job_id: int,
    *,
    resume: bool = False,
    concurrency: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> JobSummary:
    """`run_job` (or `resume_job`) for callers without an event loop, such as the CLI."""
    runner = resume_job if resume else run_job
    return asyncio.run(runner(app, job_id, concurrency=concurrency, on_progress=on_progress))

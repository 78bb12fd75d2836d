"""Jobs the server queues when another ends (`Stage.follow_ups`), such as the evaluation a
training run asked for."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from easy_dataset.jobs.progress import Progress
from easy_dataset.server.executor import JobExecutor
from easy_dataset.services import App
from easy_dataset.services.stages import follow_ups

log = logging.getLogger(__name__)


def queue_follow_ups(core: App, executor: JobExecutor) -> Callable[[Progress], None]:
    """A progress listener that queues the jobs a succeeded job's stage plans after it."""

    def queue(job_id: int) -> None:
        try:
            planned = follow_ups(core, job_id)
        except Exception:
            log.exception("could not plan the jobs that follow job %s", job_id)
            return
        for follow_up in planned:
            executor.submit(follow_up)

    def listen(progress: Progress) -> None:
        if progress.status == "succeeded":
            # Listeners run on the executor's thread, and `submit` waits for that thread:
            # the planning and queueing happen on a thread of their own.
            threading.Thread(target=queue, args=(progress.job_id,), daemon=True).start()

    return listen

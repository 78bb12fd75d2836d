"""Runs (or resumes) one job in its own process, so a test can kill it with SIGKILL.

    python -m tests.job_worker HOME JOB_ID [--resume] [--concurrency N]

Prints the job's summary as JSON when it ends.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

import tests.job_handlers  # noqa: F401 (registers the test handlers)
from easy_dataset.config import Settings
from easy_dataset.jobs import run_job_sync
from easy_dataset.services import App


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("home")
    parser.add_argument("job_id", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--concurrency", type=int)
    args = parser.parse_args(argv)
    app = App(Settings.load(home=args.home))
    try:
        summary = run_job_sync(app, args.job_id, resume=args.resume, concurrency=args.concurrency)
    finally:
        app.close()
    print(json.dumps(dataclasses.asdict(summary)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

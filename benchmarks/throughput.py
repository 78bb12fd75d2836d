"""Throughput of a real job against the fake OpenAI server: calls/s, concurrency, CPU per call.

    .venv/bin/python benchmarks/throughput.py [--items 2000] [--latency 0.2] [--concurrency 64]

N items run through the durable job runner (each item: one chat call through the project's
model client, its result committed in its own transaction, its call written to the usage
log). The fake server runs in its own process, so the CPU figure is ours alone. Targets:
achieved/ideal >= 0.9 at C = 64, L = 0.2 s (ideal = C / L calls/s); CPU < 2 ms per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `tests.fake_openai` lives in the test suite

from easy_dataset.config import Settings  # noqa: E402
from easy_dataset.jobs import JobContext, JobHandler, create_job, register, run_job  # noqa: E402
from easy_dataset.llm.types import ModelConfig  # noqa: E402
from easy_dataset.services import App, models, projects  # noqa: E402
from easy_dataset.store.models import LLMCall  # noqa: E402


@register
class OneCall(JobHandler):
    """One chat call per item; the reply's token count is the item's result."""

    type = "benchmark-call"

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        return [f"item-{index}" for index in range(int(params["items"]))]

    async def setup(self, ctx: JobContext) -> None:
        assert ctx.project_id is not None
        ctx.state["client"] = models.open_model(
            ctx.app, models.resolve_model(ctx.app, ctx.project_id)
        )

    async def teardown(self, ctx: JobContext) -> None:
        await ctx.state["client"].aclose()

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        completion = await ctx.state["client"].chat(
            [{"role": "user", "content": f"Write one short answer for {key}."}]
        )
        return {"tokens": completion.completion_tokens}


def start_fake_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_openai", "--latency", str(latency)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if len(line) != 2 or line[0] != "PORT":
        process.kill()
        raise SystemExit(f"the fake server did not start (it said {line!r})")
    return process, int(line[1])


def server_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=10) as reply:
        stats: dict[str, Any] = json.load(reply)
        return stats


def measure(items: int, latency: float, concurrency: int, home: Path, port: int) -> dict[str, Any]:
    app = App(Settings.load(home=home))
    project = projects.create_project(app, f"throughput-{time.time_ns()}")
    config = ModelConfig(
        name="fake",
        provider="custom",
        base_url=f"http://127.0.0.1:{port}/v1",
        model="fake-model",
        concurrency=concurrency,
        max_retries=0,
        timeout=30,
    )
    models.add_model(app, project.id, config)
    job_id = create_job(
        app,
        OneCall.type,
        project_id=project.id,
        params={"items": items, "concurrency": concurrency},
    )
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    summary = asyncio.run(run_job(app, job_id))
    app.usage_recorder.flush()
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    with app.db.session() as session:
        logged = session.scalar(
            select(func.count()).select_from(LLMCall).where(LLMCall.job_id == job_id)
        )
    app.close()
    return {
        "status": summary.status,
        "succeeded": summary.succeeded,
        "failed": summary.failed,
        "wall": wall,
        "cpu": cpu,
        "logged": logged,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=200, help="items of a first, unmeasured job")
    args = parser.parse_args()

    server, port = start_fake_server(args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="easy-dataset-throughput-") as home:
            measure(args.warmup, args.latency, args.concurrency, Path(home), port)
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/_reset", method="POST"),
                timeout=10,
            ).close()
            result = measure(args.items, args.latency, args.concurrency, Path(home), port)
            stats = server_stats(port)
    finally:
        server.kill()
        server.wait()

    rate = result["succeeded"] / result["wall"]
    ideal = args.concurrency / args.latency
    ratio = rate / ideal
    cpu_ms = result["cpu"] * 1000 / max(result["succeeded"], 1)
    peak = stats.get("peak_inflight")
    print(f"items {args.items} · latency {args.latency} s · concurrency {args.concurrency}")
    print(
        f"job: {result['status']}, {result['succeeded']} succeeded, {result['failed']} failed, "
        f"{result['logged']} calls in the usage log, {result['wall']:.2f} s"
    )
    print(f"achieved   {rate:8.1f} calls/s   ideal C/L {ideal:.1f} calls/s")
    print(f"ratio      {ratio:8.3f}           target >= 0.9   {'PASS' if ratio >= 0.9 else 'FAIL'}")
    print(f"peak concurrency seen by the server: {peak} (setting {args.concurrency})")
    print(f"CPU        {cpu_ms:8.3f} ms/call    target < 2      {'PASS' if cpu_ms < 2 else 'FAIL'}")


if __name__ == "__main__":
    main()

"""REST API at scale: list, filter, detail and count latency, and a full streamed export.

    .venv/bin/python benchmarks/api_scale.py [--chunks 100000] [--pairs 1000000] [--requests 200]

Seeds one project with CHUNKS chunks and PAIRS QA pairs directly through the storage layer,
starts `easy-dataset serve` in its own process, and prints p50/p95 latency per endpoint
(with GET /api/health, the framework's floor, measured the same way as the baseline), then
the time and the server's peak resident memory during a full JSONL export downloaded as a
stream, against reading the same rows straight from SQLite. Targets: p95 under 100 ms on
list and detail pages; the export of a million rows under 300 MB peak.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from easy_dataset.config import Settings
from easy_dataset.services import App, projects
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Chunk, SourceFile

BATCH = 20_000
TAGS = ["biology", "equipment", "disease", "honey", "season"]


def seed(app: App, chunks: int, pairs: int) -> int:
    """A project with one file, `chunks` chunks and `pairs` QA pairs; returns its id."""
    project_id = projects.create_project(app, "scale").id
    rng = random.Random(7)
    with app.db.session() as session:
        file = SourceFile(
            project_id=project_id,
            name="big.md",
            stored_name="big.md",
            markdown_name="big.md",
            format="markdown",
            size_bytes=0,
            sha256="0" * 64,
            content_hash="0" * 64,
            char_count=0,
        )
        session.add(file)
        session.flush()
        file_id = file.id
    words = [
        "queen",
        "worker",
        "drone",
        "comb",
        "brood",
        "nectar",
        "pollen",
        "hive",
        "frame",
        "smoke",
        "varroa",
        "swarm",
    ]

    def text(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    for start in range(0, chunks, BATCH):
        rows = [
            {
                "project_id": project_id,
                "file_id": file_id,
                "ordinal": i,
                "heading_path": ["Guide", f"Part {i // 100}"],
                "content": text(120),
                "size": 700,
            }
            for i in range(start, min(chunks, start + BATCH))
        ]
        with app.db.session() as session:
            session.execute(insert(Chunk), rows)
    with app.db.session() as session:
        first_chunk = session.scalar(select(Chunk.id).order_by(Chunk.id).limit(1)) or 1
    for start in range(0, pairs, BATCH):
        rows = [
            {
                "project_id": project_id,
                "chunk_id": first_chunk + i % max(chunks, 1),
                "question": f"What does the guide say about {text(6)}? ({i})",
                "answer": text(60),
                "cot": text(30) if i % 2 else "",
                "model": "bench",
                "confirmed": i % 10 == 0,
                "score": (i % 11) / 2,
                "user_tags": [TAGS[i % len(TAGS)]],
                "provenance": {"file": "big.md", "chunk": first_chunk + i % max(chunks, 1)},
            }
            for i in range(start, min(pairs, start + BATCH))
        ]
        with app.db.session() as session:
            session.execute(insert(QAPair), rows)
    return project_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latencies(client: httpx.Client, paths: Callable[[], str], count: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of `count` GETs, after a few warm-up requests."""
    for _ in range(5):
        client.get(paths()).raise_for_status()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(paths()).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="easy-dataset-scale-") as home:
        app = App(Settings.load(home=home))
        started = time.perf_counter()
        project_id = seed(app, args.chunks, args.pairs)
        app.close()
        print(
            f"seeded {args.chunks:,} chunks and {args.pairs:,} QA pairs "
            f"in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        env = {**os.environ, "EASY_DATASET_HOME": home}
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("easy-dataset")), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            run(server, port, project_id, args, home)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(
    server: subprocess.Popen[bytes], port: int, project_id: int, args: argparse.Namespace, home: str
) -> None:
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(11)
    with httpx.Client(base_url=base, timeout=600) as client:
        for _ in range(300):
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(
                f"the server did not start: {server.stderr.read() if server.stderr else ''}"
            )
        p = f"/api/projects/{project_id}"
        pages_qa = max(args.pairs // 50, 1)
        pages_chunks = max(args.chunks // 50, 1)
        page = "limit=50&with_total=false"
        cases: list[tuple[str, Callable[[], str]]] = [
            ("health (baseline)", lambda: "/api/health"),
            ("list QA, first page", lambda: f"{p}/qa?{page}"),
            (
                "list QA, any page by cursor",
                lambda: f"{p}/qa?{page}&after={rng.randrange(args.pairs)}",
            ),
            (
                "list QA, any page by offset",
                lambda: f"{p}/qa?{page}&offset={rng.randrange(pages_qa) * 50}",
            ),
            (
                "list chunks, any page (with total)",
                lambda: f"{p}/chunks?limit=50&offset={rng.randrange(pages_chunks) * 50}",
            ),
            (
                "list questions, first page",
                lambda: f"{p}/questions?{page}",
            ),
            (
                "filter QA: confirmed, score >= 4",
                lambda: f"{p}/qa?{page}&confirmed=true&min_score=4",
            ),
            (
                "filter QA: unconfirmed, has reasoning",
                lambda: f"{p}/qa?{page}&confirmed=false&has_cot=true",
            ),
            ("filter QA: tag", lambda: f"{p}/qa?{page}&tag={rng.choice(TAGS)}"),
            ("filter QA: text search", lambda: f"{p}/qa?{page}&search=varroa%20swarm%20smoke"),
            ("detail QA (with its chunk)", lambda: f"{p}/qa/{rng.randrange(1, args.pairs + 1)}"),
            ("detail chunk", lambda: f"{p}/chunks/{rng.randrange(1, args.chunks + 1)}"),
            ("count QA, all", lambda: f"{p}/qa/count"),
            ("count QA, confirmed", lambda: f"{p}/qa/count?confirmed=true"),
            ("count QA, tag", lambda: f"{p}/qa/count?tag={rng.choice(TAGS)}"),
            ("project with counts", lambda: p),
        ]
        print(f"\n{'endpoint':40} {'p50 ms':>8} {'p95 ms':>8}")
        for name, path in cases:
            slow = "search" in name or name.startswith("count QA, tag")
            count = max(args.requests // 10, 10) if slow else args.requests
            p50, p95 = latencies(client, path, count)
            print(f"{name:40} {p50:8.1f} {p95:8.1f}")

        before = rss_mb(server.pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(server.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        size = rows = 0
        with client.stream("GET", f"{p}/export?format=alpaca&file_type=jsonl") as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                rows += chunk.count(b"\n")
        export_seconds = time.perf_counter() - started
        done.set()
        sampler.join()

    baseline = raw_read_seconds(home, project_id)
    print(
        f"\nexport: {rows:,} records, {size / 1e6:.0f} MB in {export_seconds:.1f} s "
        f"({rows / export_seconds:,.0f} records/s); server RSS {before:.0f} MB before, "
        f"{peak[0]:.0f} MB at peak (sampled), VmHWM {peak_rss_mb(server.pid):.0f} MB"
    )
    print(
        f"baseline: the same rows read from SQLite and JSON-encoded in this process in "
        f"{baseline:.1f} s; export/baseline time ratio {export_seconds / baseline:.2f}"
    )


def raw_read_seconds(home: str, project_id: int) -> float:
    """Reading every pair's text straight from SQLite and encoding it: the floor of an export."""
    import json

    started = time.perf_counter()
    connection = sqlite3.connect(Path(home) / "easy-dataset.db")
    rows = connection.execute(
        "SELECT question, answer, cot FROM qa_pairs WHERE project_id = ? ORDER BY id",
        (project_id,),
    )
    for question, answer, cot in rows:
        json.dumps({"instruction": question, "input": "", "output": answer, "cot": cot})
    connection.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

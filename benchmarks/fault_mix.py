"""`easy-dataset generate` against a misbehaving endpoint: what is kept, what is listed.

    .venv/bin/python benchmarks/fault_mix.py [--provider custom] [--seed 1]

Runs the whole pipeline command three times on one ~84 KB document, each against the fake
OpenAI server (tests/fake_openai.py) in its own process:
1. a clean endpoint: the baseline count of exported records;
2. the fault mix (20 % malformed replies, 10 % HTTP 500, 10 % HTTP 429, plus 5 % replies
   cut off at the token limit and 5 % cut off yet marked finished): records kept as a share
   of the baseline, failures listed by the command, and its exit status;
3. no endpoint at all: seconds from the command's start to its stop, beside the seconds the
   same command takes to start and fail on a missing file (its fixed start-up cost).
Targets: kept >= 97 % of the baseline; every lost record accounted for by a listed failure;
exit status non-zero whenever an item failed; the stop within seconds of the start-up cost.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "easy_dataset"]
FAULTS = {
    "p-malformed": 0.2,
    "p-500": 0.1,
    "p-429": 0.1,
    "p-truncated": 0.05,
    "p-cut": 0.05,
    "retry-after": "0.1",
}


def document(target_bytes: int = 84_000) -> str:
    """The bundled sample, renamed per volume until it is about `target_bytes` long."""
    sample = (ROOT / "src/easy_dataset/samples/beekeeping.md").read_text(encoding="utf-8")
    parts, volume = [], 0
    while sum(len(part) for part in parts) < target_bytes:
        volume += 1
        parts.append(
            re.sub(r"^(#+) (.*)$", rf"\1 \2 (volume {volume})", sample, flags=re.MULTILINE)
        )
    return "\n\n".join(parts)[:target_bytes]


def start_fake(*args: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_openai", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    word, port = process.stdout.readline().split()
    assert word == "PORT", word
    return process, int(port)


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def generate(home: Path, doc: Path, out: Path, provider: str, port: int) -> tuple[int, Any, str]:
    """Exit status, the --json summary (None when there is none) and stderr."""
    command = [
        *CLI,
        "--home",
        str(home),
        "generate",
        str(doc),
        "-o",
        str(out),
        "--provider",
        provider,
        "--base-url",
        f"http://127.0.0.1:{port}/v1",
        "--model",
        "fake-model",
        "--concurrency",
        "16",
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        summary = json.loads(done.stdout)
    except ValueError:
        summary = None
    return done.returncode, summary, done.stderr


def records(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--provider", default="custom", help="custom: JSON asked in the prompt")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        doc = work / "manual.md"
        doc.write_text(document(), encoding="utf-8")
        print(f"document: {doc.stat().st_size:,} bytes, provider {args.provider}")

        clean, port = start_fake()
        try:
            status, summary, _ = generate(work / "a", doc, work / "a.jsonl", args.provider, port)
        finally:
            clean.kill()
        baseline = records(work / "a.jsonl")
        print(f"clean run: exit {status}, {baseline} records")

        flags = [f"--{name}={value}" for name, value in FAULTS.items()]
        faulty, port = start_fake(*flags, f"--seed={args.seed}")
        try:
            status, summary, stderr = generate(
                work / "b", doc, work / "b.jsonl", args.provider, port
            )
        finally:
            faulty.kill()
        kept = records(work / "b.jsonl")
        failed = sum(stage["failed"] for stage in summary["stages"]) if summary else 0
        listed = sum(len(stage["failures"]) for stage in summary["stages"]) if summary else 0
        print(
            f"fault mix ({', '.join(flags)}): exit {status}, {kept} records = "
            f"{kept / baseline:.1%} of the clean run, {failed} items failed, {listed} listed"
        )
        for stage in summary["stages"] if summary else []:
            kinds: dict[str, int] = {}
            for failure in stage["failures"]:
                kinds[failure["kind"]] = kinds.get(failure["kind"], 0) + 1
            print(
                f"  {stage['stage']}: {stage['succeeded']}/{stage['total']} succeeded, "
                f"failures by kind {kinds or '{}'}"
            )

        started = time.perf_counter()
        subprocess.run(
            [
                *CLI,
                "--home",
                str(work / "c"),
                "generate",
                "nothing.md",
                "-o",
                str(work / "c.jsonl"),
            ],
            capture_output=True,
            cwd=ROOT,
            check=False,
        )
        startup = time.perf_counter() - started
        started = time.perf_counter()
        status, _, stderr = generate(work / "d", doc, work / "d.jsonl", args.provider, dead_port())
        stop = time.perf_counter() - started
        reason = next((line for line in stderr.splitlines() if "paused" in line), stderr[-200:])
        print(
            f"endpoint down: exit {status} after {stop:.1f} s "
            f"(start-up and a failing run alone: {startup:.1f} s)\n  {reason[:160]}"
        )


if __name__ == "__main__":
    main()

"""The bounded OpenAPI fuzz run of `make test`, on its own, with its figures.

    .venv/bin/python benchmarks/api_fuzz.py [--examples 25] [--verbose]

Seeds a project (file, chunks, tag, persona, question, QA pair, template, benchmark, a
queued job and a model configuration at http://127.0.0.1:9/v1, which refuses at once),
sends up to EXAMPLES Schemathesis cases to every operation of /openapi.json in-process, and
prints "operations N, requests M, 5xx K" (K leaves out the 502 model_error answers the
unreachable endpoint must give), then each distinct finding: a 5xx, an undocumented status,
a body or content type that is not the documented one. Exit status 1 when there is any
finding or when the server tried to reach any other address.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fuzz run lives in the test suite

from tests.fuzz_support import MAX_EXAMPLES, OperationRun, fuzz_all  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=MAX_EXAMPLES, help="per operation")
    parser.add_argument("--verbose", action="store_true", help="a line per operation")
    args = parser.parse_args()

    def progress(run: OperationRun) -> None:
        if args.verbose:
            statuses = " ".join(f"{code}×{n}" for code, n in sorted(run.statuses.items()))
            print(f"{run.label}: {run.requests} requests, {run.seconds:.1f} s, {statuses}")

    with tempfile.TemporaryDirectory() as workdir:
        summary = fuzz_all(Path(workdir), max_examples=args.examples, progress=progress)
    print(summary.line())
    for finding in summary.findings:
        print(f"- {finding.operation}: {finding.status} {finding.title}: {finding.message}")
        print(f"    {finding.repro}")
    for attempt in summary.outbound:
        print(f"- outbound attempt refused: {attempt}")
    return 1 if summary.findings or summary.outbound else 0


if __name__ == "__main__":
    raise SystemExit(main())

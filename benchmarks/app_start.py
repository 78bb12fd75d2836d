"""How long a server takes to make and answer its first request, in a process that makes many
(the test suite makes hundreds): with the API router built once per set of stages and shared
by every app (ours), against building it again for each app (the baseline, as before).

    .venv/bin/python benchmarks/app_start.py [--apps 8]

Each app is made on its own empty data home, its lifespan started, and /api/health asked
once (FastAPI analyses the routes of each app on its first request). Prints the median
seconds of `create_app` and of the whole start for both, and the baseline's time over ours.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from easy_dataset.config import Settings
from easy_dataset.server import api, create_app


def start_once(home: Path, *, rebuild_router: bool) -> tuple[float, float]:
    """Seconds to make the app, and to make it and answer its first request."""
    if rebuild_router:
        api._built.clear()  # the baseline: nothing kept from the apps made before
    started = time.perf_counter()
    app = create_app(Settings.load(home=home), run_jobs=False)
    made = time.perf_counter() - started
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/api/health").status_code == 200
    return made, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=8, help="apps made per variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        root = Path(workdir)
        start_once(root / "warm-up", rebuild_router=False)  # imports, the first build
        figures: dict[str, list[tuple[float, float]]] = {"shared": [], "rebuilt": []}
        for index in range(args.apps):  # interleaved, so a busy moment hits both alike
            for variant in figures:
                home = root / f"{variant}-{index}"
                figures[variant].append(start_once(home, rebuild_router=variant == "rebuilt"))
    medians = {
        variant: (
            statistics.median(made for made, _ in runs),
            statistics.median(total for _, total in runs),
        )
        for variant, runs in figures.items()
    }
    for variant, (made, total) in medians.items():
        print(f"{variant:8} create_app {made:.3f} s, to the first answer {total:.3f} s")
    ratio = medians["rebuilt"][1] / medians["shared"][1]
    print(f"start, rebuilt router / shared router: {ratio:.2f}x ({args.apps} apps each)")


if __name__ == "__main__":
    main()

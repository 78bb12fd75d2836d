"""Benchmark PDF ingest and Markdown chunking against the raw libraries underneath.

Run from the repository root:

    .venv/bin/python benchmarks/ingest_chunk.py [--pages 300] [--markdown-mb 20]
                                                [--workdir DIR] [--repeat N]

The script needs no network. It generates its own inputs (a multi-page PDF built with
PyMuPDF and a large Markdown file), then measures four steps, each in a fresh
subprocess so that the peak resident memory reported belongs to that step alone:

1. ``pdf-raw``    ``pymupdf4llm.to_markdown(path)`` with the library's default mode.
2. ``pdf-ours``   ``easy_dataset.ingest.parse_document(Path(path))``.
3. ``chunk-raw``  ``semantic_text_splitter.MarkdownSplitter(3000).chunks(text)``.
4. ``chunk-ours`` ``easy_dataset.chunking.split_text(text, ChunkSettings())``.

Inside each child, imports and a tiny warm-up call (a one-page PDF or a small Markdown
text) happen before the clock starts, so one-off costs such as loading the layout model
of pymupdf4llm are excluded equally on both sides. Only the operation itself is timed.
Peak memory is ``ru_maxrss`` read at the end of the child, so it includes the imports
and the input text held in memory.

With ``--repeat N`` every step runs N times (a fresh child each time, in rounds so that
raw and ours see the same machine load) and the best (lowest) time and the lowest peak
are reported. CPU seconds (``time.process_time`` in the child) are shown next to wall
time as a check when the machine is busy. The script always exits with status 0:
it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
RESULT_PREFIX = "BENCH_RESULT "
STEPS = ("pdf-raw", "pdf-ours", "chunk-raw", "chunk-ours")
STEP_LABELS = {
    "pdf-raw": "PDF raw (to_markdown)",
    "pdf-ours": "PDF ours (parse_document)",
    "chunk-raw": "Chunk raw (MarkdownSplitter)",
    "chunk-ours": "Chunk ours (split_text)",
}

# Targets.
PDF_RATIO_MAX = 1.2  # time(ours) / time(raw)
CHUNK_MBPS_MIN = 10.0  # MB/s for our chunking
CHUNK_PEAK_MAX_MB = 1024.0  # peak RSS for our chunking

# --------------------------------------------------------------------------------------
# Generated input text
# --------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "apiary colony frame brood comb nectar pollen forager queen worker drone hive super "
    "excluder smoker veil season spring summer autumn winter flower meadow orchard clover "
    "heather lime willow blackberry field hedge water syrup fondant stores weight scale "
    "record inspection swarm cell cluster entrance landing board wax honey harvest "
    "extractor settling jar label market neighbour garden village river valley hill "
    "weather rain wind sun temperature humidity morning afternoon evening week month year "
    "careful gentle steady strong weak healthy heavy light busy quiet calm early late "
    "rapid slow bright dark warm cool dry damp large small narrow wide simple practical "
    "useful common rare local seasonal regular annual daily we they the a an of to in on "
    "for with from by at and or but because while when where which that this these those "
    "is are was were be been has have had can will may should must often usually rarely "
    "always never sometimes carefully quickly slowly gently observe measure compare note "
    "check add remove replace feed treat count estimate record inspect open close lift "
    "carry move store keep build grow collect protect prevent reduce increase plan learn "
    "teach share method approach practice result pattern trend problem solution reason"
)

TITLE_WORDS = _words(
    "Managing Reading Planning Feeding Inspecting Harvesting Recording Protecting Growing "
    "Understanding Preparing Moving Uniting Splitting Treating Storing Colonies Frames "
    "Queens Stores Swarms Supers Seasons Apiaries Equipment Records Forage Weather Mites "
    "Comb Honey Wax Pollen Brood Water Winter Spring Summer Autumn"
)

CJK_PHRASES = (
    "蜂群在春季迅速壮大",
    "养蜂人需要定期检查巢脾",
    "蜂王每天可以产下上千粒卵",
    "工蜂负责采集花蜜和花粉",
    "天气晴朗时蜜蜂出勤很积极",
    "封盖的蜂蜜含水量较低",
    "秋季要给蜂群留足饲料",
    "冬天蜂群会结成蜂团保温",
    "分蜂是蜂群繁殖的自然方式",
    "记录每箱蜂的重量很有帮助",
    "蜂螨是现代养蜂最大的威胁",
    "摇蜜之前要先割去蜡盖",
)
CJK_ENDINGS = ("。", "！", "？", "。", "。")

CODE_SNIPPETS = (
    "def mean(values: list[float]) -> float:\n    return sum(values) / len(values)\n",
    "for hive in hives:\n    if hive.weight_kg < 18:\n        feed(hive, litres=4)\n",
    'SELECT hive, max(kg) FROM weights\nWHERE taken_on >= "2024-05-01"\nGROUP BY hive;\n',
    "weights = {name: scale.read(name) for name in names}\nprint(sorted(weights.items()))\n",
)


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "!"))


def paragraph(rng: random.Random, low: int = 3, high: int = 7) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def title(rng: random.Random) -> str:
    return " ".join(rng.choices(TITLE_WORDS, k=rng.randint(2, 5)))


def cjk_paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        phrases = rng.choices(CJK_PHRASES, k=rng.randint(1, 3))
        sentences.append("，".join(phrases) + rng.choice(CJK_ENDINGS))
    return "".join(sentences)


def markdown_table(rng: random.Random) -> str:
    rows = ["| Hive | Frames of brood | Stores (kg) | Temper |", "|---|---|---|---|"]
    for index in range(rng.randint(4, 10)):
        rows.append(
            f"| H{index + 1} | {rng.randint(2, 10)} | {rng.uniform(5, 35):.1f} "
            f"| {rng.choice(('calm', 'busy', 'defensive', 'quiet'))} |"
        )
    return "\n".join(rows)


def markdown_blocks(rng: random.Random) -> Iterator[str]:
    """Yield Markdown blocks forever: headings, paragraphs, lists, tables, code, CJK."""
    chapter = 0
    while True:
        chapter += 1
        yield f"# Part {chapter}: {title(rng)}"
        yield paragraph(rng)
        for _ in range(rng.randint(2, 5)):
            yield f"## {title(rng)}"
            yield paragraph(rng, 2, 5)
            for _ in range(rng.randint(1, 4)):
                yield f"### {title(rng)}"
                for _ in range(rng.randint(1, 4)):
                    yield paragraph(rng, 1, 8)
                kind = rng.random()
                if kind < 0.15:
                    yield "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(3, 7)))
                elif kind < 0.25:
                    yield "\n".join(
                        f"{number}. {sentence(rng)}" for number in range(1, rng.randint(4, 8))
                    )
                elif kind < 0.32:
                    yield markdown_table(rng)
                elif kind < 0.38:
                    yield "```python\n" + rng.choice(CODE_SNIPPETS) + "```"
                elif kind < 0.46:
                    yield cjk_paragraph(rng)


def build_markdown(path: Path, target_bytes: int, seed: int) -> None:
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    for block in markdown_blocks(rng):
        parts.append(block)
        size += len(block.encode("utf-8")) + 2
        if size >= target_bytes:
            break
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------
# Generated PDF
# --------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 in points
MARGIN = 64.0
BODY_SIZE, SUBHEAD_SIZE, HEAD_SIZE = 10.5, 13.0, 20.0


class Measure:
    """Width of words in one font and size, cached: per-call text_length is slow."""

    def __init__(self, font: Any, fontsize: float) -> None:
        self.font = font
        self.fontsize = fontsize
        self.space = float(font.text_length(" ", fontsize))
        self.cache: dict[str, float] = {}

    def __call__(self, word: str) -> float:
        width = self.cache.get(word)
        if width is None:
            width = self.cache[word] = float(self.font.text_length(word, self.fontsize))
        return width


def wrap(text: str, measure: Measure, width: float) -> list[str]:
    """Greedy line breaking of text into lines no wider than width points."""
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split():
        word_width = measure(word)
        if current and used + measure.space + word_width > width:
            lines.append(" ".join(current))
            current, used = [word], word_width
        else:
            used += word_width + (measure.space if current else 0.0)
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def build_pdf(path: Path, pages: int, seed: int) -> None:
    import pymupdf as _pymupdf

    pymupdf: Any = _pymupdf  # PyMuPDF ships only partial annotations
    rng = random.Random(seed)
    body_font = pymupdf.Font("helv")
    bold_font = pymupdf.Font("hebo")
    body = Measure(body_font, BODY_SIZE)
    width = PAGE_WIDTH - 2 * MARGIN
    bottom = PAGE_HEIGHT - MARGIN
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        writer = pymupdf.TextWriter(page.rect)
        y = MARGIN + HEAD_SIZE
        writer.append((MARGIN, y), f"{number}. {title(rng)}", font=bold_font, fontsize=HEAD_SIZE)
        y += HEAD_SIZE * 1.2
        has_list = rng.random() < 0.3
        has_subhead = rng.random() < 0.5
        block = 0
        while True:
            block += 1
            lines: list[tuple[str, Any, float, float]] = []  # text, font, size, indent
            if has_list and block == 3:
                for _ in range(rng.randint(3, 6)):
                    item = wrap(sentence(rng), body, width - 14)
                    lines.append(("\u2022 " + item[0], body_font, BODY_SIZE, 0.0))
                    lines.extend((rest, body_font, BODY_SIZE, 10.0) for rest in item[1:])
            elif has_subhead and block == 2:
                lines.append((title(rng), bold_font, SUBHEAD_SIZE, 0.0))
            else:
                text = paragraph(rng, 2, 6)
                lines.extend((line, body_font, BODY_SIZE, 0.0) for line in wrap(text, body, width))
            needed = sum(size * 1.35 for _, _, size, _ in lines) + BODY_SIZE
            if y + needed > bottom:
                break
            y += BODY_SIZE * 0.8
            for text, font, size, indent in lines:
                y += size * 1.35
                writer.append((MARGIN + indent, y), text, font=font, fontsize=size)
        writer.write_text(page)
    doc.save(path, garbage=3, deflate=True)
    doc.close()


# --------------------------------------------------------------------------------------
# Child mode: one measured step
# --------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def count_headings(markdown: str) -> int:
    return sum(1 for line in markdown.splitlines() if line.startswith("#"))


def run_child(step: str, input_path: Path, warmup_path: Path) -> dict[str, Any]:
    """Import, warm up, then time one operation; return the figures as a dict."""
    operation: Callable[[], dict[str, Any]]
    if step in ("pdf-raw", "pdf-ours"):
        import pymupdf as _pymupdf

        pymupdf: Any = _pymupdf
        with pymupdf.open(input_path) as doc:
            pages = doc.page_count
        if step == "pdf-raw":
            import pymupdf4llm

            pymupdf4llm.to_markdown(str(warmup_path))

            def operation() -> dict[str, Any]:
                markdown = pymupdf4llm.to_markdown(str(input_path))
                return {"chars": len(markdown), "headings": count_headings(markdown)}
        else:
            from easy_dataset.ingest import parse_document

            parse_document(warmup_path)

            def operation() -> dict[str, Any]:
                parsed = parse_document(input_path)
                return {
                    "chars": len(parsed.markdown),
                    "headings": count_headings(parsed.markdown),
                    "page_count": parsed.page_count,
                    "outline_roots": len(parsed.outline),
                }

        extra: dict[str, Any] = {"pages": pages}
    elif step in ("chunk-raw", "chunk-ours"):
        text = input_path.read_text(encoding="utf-8")
        warm_text = warmup_path.read_text(encoding="utf-8")
        if step == "chunk-raw":
            from semantic_text_splitter import MarkdownSplitter

            splitter = MarkdownSplitter(3000)
            splitter.chunks(warm_text)

            def operation() -> dict[str, Any]:
                return {"chunks": len(splitter.chunks(text))}
        else:
            from easy_dataset.chunking import split_text
            from easy_dataset.types import ChunkSettings

            settings = ChunkSettings()
            split_text(warm_text, settings)

            def operation() -> dict[str, Any]:
                return {"chunks": len(split_text(text, settings))}

        extra = {"chars_in": len(text)}
    else:
        raise SystemExit(f"unknown step: {step}")

    gc.collect()
    cpu_start = time.process_time()
    start = time.perf_counter()
    outcome = operation()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {
        "step": step,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "bytes": input_path.stat().st_size,
        "peak_mb": peak_rss_mb(),
        **extra,
        **outcome,
    }


# --------------------------------------------------------------------------------------
# Parent mode: build inputs, spawn children, report
# --------------------------------------------------------------------------------------


@dataclass
class StepResult:
    step: str
    data: dict[str, Any] | None = None
    error: str | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.data is None else float(self.data["seconds"])


def spawn(step: str, input_path: Path, warmup_path: Path, timeout: float) -> StepResult:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--input",
        str(input_path),
        "--warmup",
        str(warmup_path),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return StepResult(step, error=f"timed out after {timeout:.0f} s")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return StepResult(step, data=json.loads(line[len(RESULT_PREFIX) :]))
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return StepResult(step, error=f"exit {done.returncode}: {tail}")


def best_of(results: list[StepResult]) -> StepResult:
    good = [result for result in results if result.data is not None]
    if not good:
        return results[-1]
    best = min(good, key=lambda result: float(result.data["seconds"]))  # type: ignore[index]
    data = dict(best.data or {})
    data["peak_mb"] = min(float(result.data["peak_mb"]) for result in good)  # type: ignore[index]
    return StepResult(best.step, data=data)


def rate(value: float) -> str:
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def verdict(ok: bool) -> str:
    return "[green]PASS[/green]" if ok else "[red]FAIL[/red]"


def report(results: dict[str, StepResult], repeat: int) -> None:
    from rich.console import Console
    from rich.table import Table

    # Wide enough for the table when the output is a file or a pipe.
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"Ingest and chunking benchmark (best of {repeat}; MB = 2^20 bytes)")
    columns = (
        "Step",
        "Time s",
        "CPU s",
        "Pages/s",
        "MB/s",
        "Peak MB",
        "Output",
        "Target",
        "Result",
    )
    for column in columns:
        justify = "left" if column in ("Step", "Output", "Target") else "right"
        table.add_column(column, justify=justify)  # type: ignore[arg-type]

    for step in STEPS:
        result = results.get(step)
        if result is None:
            continue
        if result.data is None:
            dashes = ("-",) * 5
            table.add_row(STEP_LABELS[step], *dashes, result.error or "", "", "ERROR")
            continue
        data = result.data
        seconds = float(data["seconds"])
        mbps = data["bytes"] / MIB / seconds
        peak = float(data["peak_mb"])
        pages_per_s = f"{data['pages'] / seconds:.1f}" if "pages" in data else "-"
        if step.startswith("pdf"):
            output = f"{data['chars']:,} chars, {data['headings']:,} headings"
        else:
            output = f"{data['chunks']:,} chunks"
        target, result_text = "", ""
        if step == "pdf-ours":
            raw = results.get("pdf-raw")
            target = f"time ≤ {PDF_RATIO_MAX:.1f}× raw"
            if raw is not None and raw.seconds:
                result_text = verdict(seconds / raw.seconds <= PDF_RATIO_MAX)
        elif step == "chunk-ours":
            target = f"≥ {CHUNK_MBPS_MIN:.0f} MB/s, peak < {CHUNK_PEAK_MAX_MB:.0f} MB"
            result_text = verdict(mbps >= CHUNK_MBPS_MIN and peak < CHUNK_PEAK_MAX_MB)
        table.add_row(
            STEP_LABELS[step],
            f"{seconds:.2f}",
            f"{float(data['cpu_seconds']):.2f}",
            pages_per_s,
            rate(mbps),
            f"{peak:.0f}",
            output,
            target,
            result_text,
        )
    console.print(table)

    pdf_raw, pdf_ours = results.get("pdf-raw"), results.get("pdf-ours")
    if pdf_raw and pdf_ours and pdf_raw.seconds and pdf_ours.seconds:
        ratio = pdf_ours.seconds / pdf_raw.seconds
        console.print(
            f"PDF ingest   time ratio ours/raw = {ratio:.3f}  "
            f"(target ≤ {PDF_RATIO_MAX:.2f})  {verdict(ratio <= PDF_RATIO_MAX)}"
        )
        cpu_ratio = float(pdf_ours.data["cpu_seconds"]) / float(pdf_raw.data["cpu_seconds"])  # type: ignore[index]
        console.print(f"PDF ingest   CPU  ratio ours/raw = {cpu_ratio:.3f}  (informational)")
    chunk_raw, chunk_ours = results.get("chunk-raw"), results.get("chunk-ours")
    if chunk_raw and chunk_ours and chunk_raw.seconds and chunk_ours.seconds:
        ratio = chunk_ours.seconds / chunk_raw.seconds
        console.print(f"Chunking     time ratio ours/raw = {ratio:.3f}  (informational)")
    if chunk_ours and chunk_ours.data is not None:
        data = chunk_ours.data
        mbps = data["bytes"] / MIB / float(data["seconds"])
        peak = float(data["peak_mb"])
        console.print(
            f"Chunking     ours: {mbps:.2f} MB/s (target ≥ {CHUNK_MBPS_MIN:.0f}) "
            f"{verdict(mbps >= CHUNK_MBPS_MIN)}, peak {peak:.0f} MB "
            f"(target < {CHUNK_PEAK_MAX_MB:.0f}) {verdict(peak < CHUNK_PEAK_MAX_MB)}"
        )


def input_paths(workdir: Path, pages: int, markdown_mb: float) -> dict[str, Path]:
    """Where the inputs live in workdir; file names encode the parameters."""
    return {
        "pdf": workdir / f"bench-{pages}p.pdf",
        "pdf-warmup": workdir / "warmup-1p.pdf",
        "markdown": workdir / f"bench-{markdown_mb:g}mb.md",
        "markdown-warmup": workdir / "warmup.md",
    }


def build_inputs(workdir: Path, pages: int, markdown_mb: float) -> None:
    """Build the inputs that workdir does not hold yet (runs in a child process)."""
    paths = input_paths(workdir, pages, markdown_mb)
    builders: dict[str, Callable[[Path], None]] = {
        "pdf": lambda path: build_pdf(path, pages, seed=1),
        "pdf-warmup": lambda path: build_pdf(path, 1, seed=2),
        "markdown": lambda path: build_markdown(path, int(markdown_mb * MIB), seed=3),
        "markdown-warmup": lambda path: build_markdown(path, 20_000, seed=4),
    }
    for name, path in paths.items():
        if path.exists():
            print(f"reusing {path} ({path.stat().st_size / MIB:.2f} MB)", flush=True)
            continue
        start = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        builders[name](partial)
        partial.replace(path)
        print(
            f"built {path} ({path.stat().st_size / MIB:.2f} MB) "
            f"in {time.perf_counter() - start:.1f} s",
            flush=True,
        )


def prepare_inputs(workdir: Path, pages: int, markdown_mb: float) -> dict[str, Path]:
    """Build (or reuse) the inputs in a child process and return their paths.

    The parent must stay small: on Linux a child started with exec inherits the
    parent's peak RSS in its own ``ru_maxrss``, so building a 20 MB text or importing
    PyMuPDF here would inflate every measurement that follows.
    """
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--build-inputs",
        "--workdir",
        str(workdir),
        "--pages",
        str(pages),
        "--markdown-mb",
        str(markdown_mb),
    ]
    subprocess.run(command, check=True)
    return input_paths(workdir, pages, markdown_mb)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=300, help="pages in the generated PDF")
    parser.add_argument(
        "--markdown-mb", type=float, default=20.0, help="size of the generated Markdown (MiB)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep and reuse inputs here (default: temp)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; best is kept")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help="comma-separated subset of: " + ", ".join(STEPS)
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per child run")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--build-inputs", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        result = run_child(args.child, args.input, args.warmup)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0
    if args.build_inputs:
        build_inputs(args.workdir, args.pages, args.markdown_mb)
        return 0

    steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        print(f"unknown steps: {', '.join(unknown)}", file=sys.stderr)
        return 0
    repeat = max(1, args.repeat)

    with tempfile.TemporaryDirectory(prefix="easy-dataset-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        paths = prepare_inputs(workdir, args.pages, args.markdown_mb)
        inputs = {
            "pdf-raw": (paths["pdf"], paths["pdf-warmup"]),
            "pdf-ours": (paths["pdf"], paths["pdf-warmup"]),
            "chunk-raw": (paths["markdown"], paths["markdown-warmup"]),
            "chunk-ours": (paths["markdown"], paths["markdown-warmup"]),
        }
        selected = [step for step in STEPS if step in steps]
        runs: dict[str, list[StepResult]] = {step: [] for step in selected}
        # Rounds rather than step after step: raw and ours see the same drift in machine load.
        for index in range(repeat):
            for step in selected:
                print(f"running {step} ({index + 1}/{repeat}) ...", flush=True)
                outcome = spawn(step, *inputs[step], timeout=args.timeout)
                runs[step].append(outcome)
                if outcome.data is not None:
                    print(f"  {step}: {outcome.seconds:.2f} s", flush=True)
                else:
                    print(f"  {step} failed: {outcome.error}", flush=True)
        results = {step: best_of(step_runs) for step, step_runs in runs.items()}
    report(results, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

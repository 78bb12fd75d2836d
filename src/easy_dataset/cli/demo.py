"""`easy-dataset demo`: the bundled sample through the whole pipeline, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from easy_dataset.cli.common import console, escape, guarded, state
from easy_dataset.cli.generate import MaxChunksOption, print_summary
from easy_dataset.cli.jobs import job_progress
from easy_dataset.cli.report import figures_table
from easy_dataset.services.demo import SAMPLE, run_demo, run_demo_checks


@guarded
def demo(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", "-p", help="Project to use.")] = "demo",
    max_chunks: MaxChunksOption = None,
) -> None:
    """Run the pipeline headless on the bundled sample with the embedded model; print a summary."""
    console.print(f"easy-dataset demo: {SAMPLE} → questions and answers on the embedded model")
    with job_progress() as update:
        summary = run_demo(
            state(ctx).app(),
            project,
            on_stage=lambda stage: console.print(f"· {stage}", style="dim"),
            on_progress=update,
            max_chunks=max_chunks,
        )
    print_summary(summary)
    path = Path(summary.export.path or "")
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        if first:
            console.print("first record:", style="bold")
            console.print(json.dumps(json.loads(first), ensure_ascii=False, indent=2), markup=False)
    console.print(f"[bold]dataset:[/] {escape(str(path))}")
    with job_progress() as update:
        report = run_demo_checks(
            state(ctx).app(),
            project,
            on_stage=lambda stage: console.print(f"· {stage}", style="dim"),
            on_progress=update,
        )
    console.print(figures_table(report))
    console.print(f"full report: easy-dataset report -p {escape(project)}", style="dim")

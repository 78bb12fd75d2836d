"""Running one generation stage from the CLI: shared options, a progress bar, the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.console import RenderableType

from easy_dataset.cli.common import console, counted, escape, print_json, state
from easy_dataset.cli.jobs import job_progress, report_job, summary_table
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, jobs, stages

ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model configuration name (default: the project's)."),
]
ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", min=1, help="Model calls in flight.")
]
FileIdsOption = Annotated[
    list[int] | None, typer.Option("--file", help="Only this file id (repeatable).")
]
CacheOption = Annotated[
    bool, typer.Option("--cache", help="Reuse stored model replies for identical requests.")
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Print the estimate (items, model calls, tokens, time) and start nothing.",
    ),
]


@dataclass
class Addition:
    """What a stage's CLI renderer adds to its outcome: JSON fields and lines of text."""

    extra: dict[str, Any] = field(default_factory=dict)
    lines: list[RenderableType] = field(default_factory=list)
    # What to say instead of the usual line when the job had nothing to do.
    nothing: str | None = None


def duration(seconds: float) -> str:
    """ "about 45 s", "about 18 min", "about 2.5 h"."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def print_estimate(found: generation.Estimate) -> None:
    """The estimate in a few lines (the same figures the web app shows before a job)."""
    console.print(f"{found.stage} (estimate, nothing started):")
    console.print(f"  items: {found.items}")
    console.print(f"  model calls: {found.calls} (retries come on top)")
    console.print(
        f"  tokens: ~{found.tokens:,} ({found.prompt_tokens:,} prompt + "
        f"{found.completion_tokens:,} completion)"
    )
    if found.seconds is None:
        console.print(
            f"  time: unknown (no recent calls of {escape(found.model)} in the usage log)"
        )
    else:
        console.print(
            f"  time: {duration(found.seconds)} ({found.latency_ms} ms per call, median of "
            f"{found.latency_calls} recent calls, {found.concurrency} at a time)"
        )
    if found.without_context:
        console.print(
            f"  {counted(found.without_context, 'question')} without a chunk: answered "
            "without context"
        )
    if found.skipped_no_chunk:
        console.print(
            f"  {counted(found.skipped_no_chunk, 'generated question')} skipped: their chunk "
            "was deleted"
        )


def run_stage_command(
    ctx: typer.Context,
    project: str,
    kind: str,
    *,
    as_json: bool,
    after: Callable[[JobSummary], Addition] | None = None,
    **options: Any,
) -> None:
    """Run `kind` for `project` to the end and print the outcome, with what `after` adds;
    failures are listed and make the exit status 1."""
    app = state(ctx).app()
    with job_progress() as update:
        summary = stages.run_stage(app, project, kind, on_progress=update, **options)
    added = after(summary) if after else Addition()
    # What the stage reports beyond the counts (Self-Instruct's rounds...), None for most.
    figures = jobs.show_job(app, summary.job_id, failures=0).summary if summary.total else None
    if as_json:
        print_json({**summary.__dict__, **({"summary": figures} if figures else {}), **added.extra})
    elif summary.total == 0:
        console.print(added.nothing or f"{kind}: nothing to do (everything is done already)")
    else:
        report_job(summary)
        if figures is not None:
            console.print(summary_table(figures))
        if summary.failed:
            for failure in jobs.show_job(app, summary.job_id, failures=10).failures:
                console.print(
                    f"[red]{escape(failure.item_key)}[/] ({failure.kind}): "
                    f"{escape(failure.message)}"
                )
            console.print(f"`easy-dataset jobs retry {summary.job_id}` runs the failed ones again")
    if not as_json:
        for line in added.lines:
            console.print(line)
    if summary.status not in ("succeeded",) and summary.total:
        raise typer.Exit(1)

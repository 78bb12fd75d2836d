"""Running one generation stage from the CLI: shared options, a progress bar, the outcome."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from easy_dataset.cli.common import console, counted, escape, print_json, state
from easy_dataset.cli.jobs import job_progress, report_job
from easy_dataset.services import generation, jobs

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


def estimate_or_run_stage(
    ctx: typer.Context, project: str, kind: str, *, dry_run: bool, as_json: bool, **options: Any
) -> bool:
    """With --dry-run print the stage's estimate and start nothing (True); else run it."""
    if not dry_run:
        run_stage_command(ctx, project, kind, as_json=as_json, **options)
        return False
    given = {name: value for name, value in options.items() if value is not None and value != []}
    found = generation.estimate(state(ctx).app(), project, kind, **given)
    if as_json:
        print_json(found)
    else:
        print_estimate(found)
    return True


def run_stage_command(
    ctx: typer.Context, project: str, kind: str, *, as_json: bool, **options: Any
) -> None:
    """Run `kind` for `project` to the end; failures are listed and make the exit status 1."""
    app = state(ctx).app()
    # An option left out keeps the stage's default (and its stored parameters) untouched.
    given = {name: value for name, value in options.items() if value is not None and value != []}
    with job_progress() as update:
        summary = generation.run_stage(app, project, kind, on_progress=update, **given)
    if as_json:
        print_json(summary.__dict__)
    elif summary.total == 0:
        console.print(f"{kind}: nothing to do (everything is done already)")
    else:
        report_job(summary)
        if summary.failed:
            for failure in jobs.show_job(app, summary.job_id, failures=10).failures:
                console.print(
                    f"[red]{escape(failure.item_key)}[/] ({failure.kind}): "
                    f"{escape(failure.message)}"
                )
            console.print(f"`easy-dataset jobs retry {summary.job_id}` runs the failed ones again")
    if summary.status not in ("succeeded",) and summary.total:
        raise typer.Exit(1)

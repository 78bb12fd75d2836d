"""Running one generation stage from the CLI: shared options, a progress bar, the outcome."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from easy_dataset.cli.common import console, escape, print_json, state
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

"""`easy-dataset usage`: model calls, errors and tokens from the usage log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from easy_dataset.cli.common import JsonOption, console, escape, guarded, print_json, state
from easy_dataset.services.usage import GroupBy, usage_totals


@guarded
def usage(
    ctx: typer.Context,
    project: Annotated[
        str | None, typer.Option("--project", "-p", envvar="EASY_DATASET_PROJECT")
    ] = None,
    job: Annotated[int | None, typer.Option("--job", help="Only this job's calls.")] = None,
    by: Annotated[GroupBy, typer.Option("--by", help="Group by model, job, project or day.")] = (
        "model"
    ),
    as_json: JsonOption = False,
) -> None:
    """Show calls, errors, cached replies and tokens, grouped by model, job, project or day.

    Calls stopped by cancelling a job are counted apart, never as errors."""
    rows = usage_totals(state(ctx).app(), project_ref=project, job_id=job, group_by=by)
    if as_json:
        print_json(rows)
        return
    table = Table(
        by, "calls", "errors", "cancelled", "cached", "prompt tokens", "completion tokens", "ms"
    )
    for row in rows:
        table.add_row(
            escape(row.key),
            str(row.calls),
            str(row.errors),
            str(row.cancelled),
            str(row.cached),
            f"{row.prompt_tokens:,}",
            f"{row.completion_tokens:,}",
            f"{row.mean_latency_ms:.0f}",
        )
    console.print(table if rows else "no model calls logged yet")

"""Running one check's job from the CLI and printing how it went."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from easy_dataset.cli.common import console, counted, escape, print_json, state
from easy_dataset.cli.jobs import job_progress, report_job
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, jobs, quality

# The check's name -> the kind of result it flags QA pairs with.
FLAG_KIND = {
    "judge": "judge",
    "ground": "grounding",
    "pii": "pii",
    "refs": "refs",
    "contamination": "contamination",
    "hygiene": "hygiene",
}
UNCHECKED = " (every QA pair has a result; --redo checks them again)"


def given(options: dict[str, Any]) -> dict[str, Any]:
    """The options that were given: left-out ones keep the check's defaults."""
    return {
        name: value
        for name, value in options.items()
        if value is not None and value is not False and value != []
    }


def run(ctx: typer.Context, project: str, check: str, **options: Any) -> JobSummary:
    """Run one check to the end with a progress bar."""
    with job_progress() as update:
        return quality.run_check(
            state(ctx).app(), project, check, on_progress=update, **given(options)
        )


def outcome(
    ctx: typer.Context,
    check: str,
    summary: JobSummary,
    *,
    as_json: bool,
    extra: dict[str, Any] | None = None,
    lines: Sequence[str] = (),
    nothing: str = "",
) -> None:
    """Print how the check's job went (failures listed); exit 1 unless it succeeded."""
    if as_json:
        print_json({**summary.__dict__, **(extra or {})})
    elif summary.total == 0:
        console.print(f"{check}: nothing to do{nothing}")
    else:
        report_job(summary)
        if summary.failed:
            detail = jobs.show_job(state(ctx).app(), summary.job_id, failures=10)
            for failure in detail.failures:
                console.print(
                    f"[red]{escape(failure.item_key)}[/] ({failure.kind}): "
                    f"{escape(failure.message)}"
                )
            console.print(f"`easy-dataset jobs retry {summary.job_id}` runs the failed ones again")
    if not as_json:
        for line in lines:
            console.print(line)
    if summary.status != "succeeded" and summary.total:
        raise typer.Exit(1)


def flag_outcome(
    ctx: typer.Context,
    project: str,
    check: str,
    summary: JobSummary,
    *,
    as_json: bool,
    nothing: str = "",
) -> None:
    """The job's outcome and how many QA pairs the check flags now, in all."""
    kind = FLAG_KIND[check]
    count = generation.count_qa(state(ctx).app(), project, flagged=[kind])
    lines = []
    if summary.status == "succeeded":
        line = f"{counted(count, 'QA pair')} flagged by {kind}"
        if count:
            line += f"; `easy-dataset qa list -p {escape(project)} --flagged {kind}` lists them"
        lines.append(line)
    outcome(
        ctx,
        check,
        summary,
        as_json=as_json,
        extra={"flagged": count},
        lines=lines,
        nothing=nothing,
    )

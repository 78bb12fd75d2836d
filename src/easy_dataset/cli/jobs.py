"""`easy-dataset jobs ...`: watch, cancel, retry and resume durable jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    console,
    err_console,
    escape,
    fail,
    guarded,
    print_json,
    state,
)
from easy_dataset.errors import JobPausedError
from easy_dataset.jobs import JobSummary
from easy_dataset.jobs import Progress as JobProgress
from easy_dataset.jobs.summary import StageSummary
from easy_dataset.services import jobs

app = typer.Typer(help="Watch, cancel, retry and resume background jobs.", no_args_is_help=True)

JobId = Annotated[int, typer.Argument(help="Job id.")]


@contextmanager
def job_progress() -> Iterator[Callable[[JobProgress], None]]:
    """A progress bar with rate and ETA, fed by the runner's progress events."""
    bar = Progress(
        TextColumn("job {task.fields[job]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[failed]} failed · {task.fields[rate]:.1f}/s · ETA {task.fields[eta]}"
        ),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    tasks: dict[int, TaskID] = {}

    def update(event: JobProgress) -> None:
        if event.job_id not in tasks:
            tasks[event.job_id] = bar.add_task(
                "", total=event.total, job=event.job_id, failed=0, rate=0.0, eta="?"
            )
        eta = "?" if event.eta_seconds is None else f"{event.eta_seconds:.0f}s"
        bar.update(
            tasks[event.job_id],
            completed=event.done,
            total=event.total,
            failed=event.failed,
            rate=event.rate,
            eta=eta,
        )

    with bar:
        yield update


T = TypeVar("T")
StageRun = Callable[[Callable[[str], None], Callable[[JobProgress], None]], T]


def run_stages(run: StageRun[T], *, quiet: bool = False) -> T:
    """Run stages one after another (`run(on_stage, on_progress)`) with a progress bar, each
    stage named as it starts unless `quiet`; a paused job ends the command, saying how to go
    on."""

    def on_stage(stage: str) -> None:
        if not quiet:
            console.print(f"· {stage}", style="dim")

    try:
        with job_progress() as update:
            return run(on_stage, update)
    except JobPausedError as exc:
        fail(
            escape(
                f"{exc}\nrun the same command again (or `easy-dataset jobs resume "
                f"{exc.job_id}`) once the endpoint answers; finished work is kept"
            )
        )
        raise typer.Exit(1) from None


def report_job(summary: JobSummary) -> None:
    colours = {"succeeded": "green", "failed": "red", "cancelled": "yellow", "paused": "yellow"}
    colour = colours.get(summary.status, "")
    status = f"[{colour}]{summary.status}[/]" if colour else summary.status
    console.print(
        f"job {summary.job_id} {status}: {summary.succeeded} succeeded, {summary.failed} failed, "
        f"{summary.pending} pending of {summary.total} ({summary.elapsed:.1f} s)"
    )
    if summary.error:
        console.print(escape(summary.error))
    if summary.failed:
        console.print(f"`easy-dataset jobs show {summary.job_id}` lists why they failed")
    if summary.status == "paused":
        console.print(f"`easy-dataset jobs resume {summary.job_id}` goes on from here")


def summary_table(summary: StageSummary) -> Table:
    """What a stage reports about a job, as a table (with its totals as the last row)."""
    table = Table(
        *(column.en for column in summary.columns), title=summary.title_en, box=box.SIMPLE_HEAD
    )
    for row in summary.rows:
        table.add_row(*(escape(cell) for cell in summary.cells(row)))
    if summary.totals is not None:
        table.add_section()
        table.add_row(*(escape(cell) for cell in summary.cells(summary.totals)), style="bold")
    return table


RETRIED_WORDS = {
    "timeout": "timed out",
    "connection": "could not connect",
    "rate_limit": "hit the rate limit",
    "http": "got a server error",
}


def call_lines(calls: jobs.JobCalls) -> list[str]:
    """What the job's model calls went through: failed attempts by kind, retried ones."""
    lines = [f"model calls: {calls.calls}"]
    if calls.failed:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(calls.kinds.items()))
        lines[0] += f" · {calls.failed} failed ({kinds})"
    if calls.cancelled:
        lines[0] += f" · {calls.cancelled} cancelled"
    for kind, count in sorted(calls.retried_kinds.items()):
        what = RETRIED_WORDS.get(kind, f"failed ({kind})")
        calls_were = "1 call" if count == 1 else f"{count} calls"
        retried = "was retried" if count == 1 else "were retried"
        lines.append(f"  {calls_were} {what} and {retried}")
    return lines


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: Annotated[
        str | None, typer.Option("--project", "-p", envvar="EASY_DATASET_PROJECT")
    ] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    as_json: JsonOption = False,
) -> None:
    """List recent jobs, newest first."""
    found = jobs.list_jobs(state(ctx).app(), project_ref=project, status=status, limit=limit)
    if as_json:
        print_json(found)
        return
    table = Table("id", "type", "project", "status", "done", "failed", "pending", "created")
    for job in found:
        table.add_row(
            str(job.id),
            escape(job.type),
            str(job.project_id or ""),
            job.status,
            f"{job.succeeded}/{job.total}",
            str(job.failed),
            str(job.pending),
            job.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("show")
@guarded
def show(
    ctx: typer.Context,
    job_id: JobId,
    failures: Annotated[int, typer.Option("--failures", min=0, help="How many to list.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show a job's counts and why its failed items failed (with the raw model output)."""
    detail = jobs.show_job(state(ctx).app(), job_id, failures=failures)
    if as_json:
        print_json(detail)
        return
    job = detail.job
    console.print(f"[bold]job {job.id}[/] · {escape(job.type)} · {job.status}")
    console.print(
        f"total {job.total} = {job.succeeded} succeeded + {job.failed} failed + "
        f"{job.pending} pending"
    )
    if job.error:
        console.print(escape(job.error))
    for line in call_lines(detail.calls):
        console.print(escape(line))
    if detail.summary is not None:
        console.print(summary_table(detail.summary))
    for failure in detail.failures:
        console.print(
            f"[red]{escape(failure.item_key)}[/] ({failure.kind}, attempt {failure.attempt}): "
            f"{escape(failure.message)}"
        )
        if failure.raw_output:
            raw = (
                failure.raw_output
                if len(failure.raw_output) < 300
                else failure.raw_output[:300] + "…"
            )
            console.print(f"  raw output: {raw!r}", markup=False)


@app.command("cancel")
@guarded
def cancel(ctx: typer.Context, job_id: JobId, as_json: JsonOption = False) -> None:
    """Stop a job; finished items are kept, the others stay pending."""
    job = jobs.cancel_job(state(ctx).app(), job_id)
    if as_json:
        print_json(job)
    else:
        console.print(f"job {job.id}: cancel requested ({job.status})")


@app.command("retry")
@guarded
def retry(ctx: typer.Context, job_id: JobId, as_json: JsonOption = False) -> None:
    """Run a job's failed items again."""
    with job_progress() as update:
        moved, summary = jobs.retry_job(state(ctx).app(), job_id, on_progress=update)
    if as_json:
        print_json({"retried": moved, "summary": summary.__dict__ if summary else None})
        return
    console.print(f"retrying {moved} failed items")
    if summary:
        report_job(summary)
    if summary and summary.status != "succeeded":
        raise typer.Exit(1)


@app.command("resume")
@guarded
def resume(
    ctx: typer.Context,
    job_id: Annotated[int | None, typer.Argument(help="Job id (default: every one).")] = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", envvar="EASY_DATASET_PROJECT")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Resume interrupted jobs from where they stopped; finished items are never redone."""
    with job_progress() as update:
        summaries = jobs.resume_jobs(
            state(ctx).app(), job_id=job_id, project_ref=project, on_progress=update
        )
    if as_json:
        print_json([summary.__dict__ for summary in summaries])
    elif not summaries:
        console.print("no interrupted jobs")
    for summary in summaries if not as_json else []:
        report_job(summary)
    if any(summary.status != "succeeded" for summary in summaries):
        raise typer.Exit(1)

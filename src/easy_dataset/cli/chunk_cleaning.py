"""`easy-dataset chunks cleaning ...`: review what `chunks clean` proposed (list, show the
diff, apply, reject), and `chunks restore` to undo an applied cleaning."""

from __future__ import annotations

from typing import Annotated, Any, cast

import typer
from rich.table import Table
from rich.text import Text

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    counted,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.stage_commands import after_stage
from easy_dataset.cli.stage_run import Addition
from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.services import chunk_cleaning
from easy_dataset.services.chunk_cleaning import CleaningOutcome, Decision, ProposalView, Status
from easy_dataset.services.chunk_labels import label

app = typer.Typer(
    help="Review the cleaning the model proposed: list, show the diff, apply or reject.",
    no_args_is_help=True,
)

ChunkId = Annotated[int, typer.Argument(help="Chunk id.")]
ChunkIds = Annotated[list[int] | None, typer.Argument(help="Chunk ids.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every proposal waiting.")]
StatusOption = Annotated[
    str,
    typer.Option("--status", help="pending | accepted | rejected | restored | all."),
]
STATUSES: tuple[Status, ...] = ("pending", "accepted", "rejected", "restored")
LINE_STYLE = {"+": "green", "-": "red", "@": "cyan"}


def summary(view: ProposalView) -> str:
    """ "-3 lines, +1 line, 71 characters removed"."""
    found = view.stats
    return (
        f"-{counted(found.lines_removed, 'line')}, +{counted(found.lines_added, 'line')}, "
        f"{found.chars_removed:,} characters removed"
    )


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    status: StatusOption = "pending",
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List the chunks with a cleaning proposal, each with a short summary of its diff."""
    if status != "all" and status not in STATUSES:
        raise InputError(f"--status takes {' | '.join(STATUSES)} or all, not {status!r}")
    total, page = chunk_cleaning.list_proposals(
        state(ctx).app(),
        project,
        status=None if status == "all" else cast(Status, status),
        limit=limit,
        offset=offset,
    )
    if as_json:
        print_json({"total": total, "offset": offset, "limit": limit, "items": page})
        return
    if not page:
        console.print("no cleaning proposals" if status == "all" else f"no {status} proposals")
        return
    table = Table("chunk", "place", "status", "changes", "note")
    for view in page:
        note = "chunk changed since" if view.stale else ("edited" if view.edited else "")
        table.add_row(
            str(view.chunk_id),
            escape(label(view.file_name, view.ordinal)),
            view.status,
            summary(view),
            note,
        )
    console.print(table)
    console.print(
        f"{offset + 1}–{offset + len(page)} of {total}; "
        "`easy-dataset chunks cleaning show CHUNK_ID` prints a diff"
    )


@app.command("show")
@guarded
def show(
    ctx: typer.Context, chunk_id: ChunkId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Print a chunk's proposed cleaning as a unified diff (original to cleaned)."""
    detail = chunk_cleaning.get_proposal(state(ctx).app(), project, chunk_id)
    if as_json:
        print_json(detail)
        return
    console.print(
        f"[bold]chunk {detail.chunk_id}[/] · {escape(label(detail.file_name, detail.ordinal))} · "
        f"{detail.status} · {summary(detail)}"
    )
    if detail.stale:
        console.print("[yellow]the chunk changed since this proposal was made[/]")
    for line in detail.diff.split("\n"):
        # As plain text: the diff must show exactly what is stored.
        console.print(Text(line, style=LINE_STYLE.get(line[:1], "")), highlight=False)


def _decide(
    ctx: typer.Context,
    project: str,
    decision: Decision,
    chunk_ids: list[int] | None,
    every: bool,
    as_json: bool,
) -> None:
    if every == bool(chunk_ids):
        raise InputError("name the chunks, or pass --all for every proposal waiting")
    outcome: CleaningOutcome = chunk_cleaning.decide(
        state(ctx).app(), project, decision, None if every else chunk_ids
    )
    if as_json:
        print_json(outcome)
        return
    verb = "applied" if decision == "accepted" else "rejected"
    console.print(f"{verb} the cleaning of {counted(len(outcome.chunk_ids), 'chunk')}")
    for skipped in outcome.skipped:
        console.print(f"left chunk {skipped.chunk_id} as it is: {escape(skipped.reason)}")


@app.command("apply")
@guarded
def apply(
    ctx: typer.Context,
    project: ProjectOption,
    chunk_ids: ChunkIds = None,
    every: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Give chunks their proposed text (questions made from them are kept)."""
    _decide(ctx, project, "accepted", chunk_ids, every, as_json)


@app.command("reject")
@guarded
def reject(
    ctx: typer.Context,
    project: ProjectOption,
    chunk_ids: ChunkIds = None,
    every: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Drop proposals; the chunks keep their text."""
    _decide(ctx, project, "rejected", chunk_ids, every, as_json)


@guarded
def restore(
    ctx: typer.Context,
    chunk_id: ChunkId,
    project: ProjectOption,
    force: Annotated[
        bool, typer.Option("--force", help="Even if the chunk was edited after the cleaning.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Put back the text a chunk had before its last applied cleaning."""
    chunk = chunk_cleaning.restore(state(ctx).app(), project, chunk_id, force=force)
    if as_json:
        print_json(chunk)
    else:
        console.print(f"chunk {chunk.id} has its original text again ({chunk.size:,} characters)")


@after_stage("chunks.clean")
def _proposed(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    waiting = chunk_cleaning.count_pending(state(ctx).app(), project)
    return Addition(
        extra={"proposals_waiting": waiting},
        lines=[
            f"{counted(waiting, 'proposal')} waiting for review: "
            f"`easy-dataset chunks cleaning list -p {escape(project)}`"
        ],
        nothing="chunks.clean: nothing to do (every chunk is cleaned or has a proposal waiting)",
    )

"""Multi-turn dialogues: `dialogues generate` (the stage) and their review: show, edit a
turn, delete the last turns, regenerate from a turn."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.panel import Panel

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
from easy_dataset.cli.qa import print_source_chunk
from easy_dataset.cli.stage_commands import StageGroup
from easy_dataset.cli.stage_run import ModelOption
from easy_dataset.services import generation
from easy_dataset.services.generation import QADetail

app = typer.Typer(
    cls=StageGroup,
    help="Multi-turn dialogues between two roles, grounded in the chunks.",
    no_args_is_help=True,
)

DialogueId = Annotated[int, typer.Argument(help="The dialogue's sample id (as in `qa list`).")]
ROLE_STYLE = {"system": "dim", "user": "cyan", "assistant": "green"}


def _print(detail: QADetail, *, chunk: bool) -> None:
    provenance = detail.provenance
    roles = provenance.get("roles") if isinstance(provenance.get("roles"), dict) else {}
    turns = detail.messages or []
    spoken = len([turn for turn in turns if turn.role == "user"])
    console.print(
        f"[bold]dialogue #{detail.id}[/]  {counted(spoken, 'turn')}  "
        f"confirmed: {'yes' if detail.confirmed else 'no'}  model: {escape(detail.model)}"
    )
    if provenance.get("scenario"):
        console.print(f"scenario: {escape(str(provenance['scenario']))}")
    if roles:
        console.print(
            f"user: {escape(str(roles.get('user', '')))}  "
            f"assistant: {escape(str(roles.get('assistant', '')))}"
        )
    number = 0
    for index, turn in enumerate(turns):
        if turn.role == "user":
            number += 1
        where = f"turn {number - 1}" if turn.role != "system" else "system"
        title = f"[{index}] {turn.role} · {where}"
        console.print(
            Panel(
                escape(turn.content),
                title=title,
                title_align="left",
                border_style=ROLE_STYLE[turn.role],
            )
        )
        if turn.reasoning:
            console.print(
                Panel(
                    escape(turn.reasoning),
                    title=f"[{index}] reasoning",
                    title_align="left",
                    style="dim",
                )
            )
    if not chunk:
        return
    print_source_chunk(detail)


def _text(value: str | None) -> str | None:
    """The value, or stdin's text for "-"."""
    return sys.stdin.read() if value == "-" else value


@app.command("show")
@guarded
def show(
    ctx: typer.Context, qa_id: DialogueId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Show a dialogue's turns (numbered as edit-turn takes them), scenario, roles and chunk."""
    detail = generation.get_qa(state(ctx).app(), project, qa_id)
    if as_json:
        print_json(detail)
    elif detail.kind != "dialogue":
        console.print(f"#{detail.id} is a QA pair, not a dialogue: `easy-dataset qa show` shows it")
    else:
        _print(detail, chunk=True)


@app.command("edit-turn")
@guarded
def edit_turn(
    ctx: typer.Context,
    qa_id: DialogueId,
    index: Annotated[int, typer.Argument(help="The message's number in `dialogues show`.")],
    project: ProjectOption,
    content: Annotated[
        str | None, typer.Option("--content", help="The new text; '-' reads it from stdin.")
    ] = None,
    reasoning: Annotated[
        str | None,
        typer.Option("--reasoning", help="The reply's reasoning ('' removes it; '-': stdin)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rewrite one message of a dialogue by hand."""
    detail = generation.edit_turn(
        state(ctx).app(), project, qa_id, index, content=_text(content), reasoning=_text(reasoning)
    )
    if as_json:
        print_json(detail)
    else:
        _print(detail, chunk=False)


@app.command("truncate")
@guarded
def truncate(
    ctx: typer.Context,
    qa_id: DialogueId,
    project: ProjectOption,
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="Turns to delete.")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Delete the last turns (a question and its reply each); one turn at least stays."""
    detail = generation.delete_last_turns(state(ctx).app(), project, qa_id, count)
    if as_json:
        print_json(detail)
    else:
        _print(detail, chunk=False)


@app.command("regenerate")
@guarded
def regenerate(
    ctx: typer.Context,
    qa_id: DialogueId,
    project: ProjectOption,
    from_turn: Annotated[
        int, typer.Option("--from-turn", min=0, help="The first turn to write again (0-based).")
    ],
    turns: Annotated[
        int | None,
        typer.Option("--turns", min=1, help="Turns in all afterwards (default: as many as now)."),
    ] = None,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Have the model write the dialogue again from a turn on (the replaced turns are kept in
    its provenance)."""
    detail = generation.regenerate_from(
        state(ctx).app(), project, qa_id, from_turn, model=model, turns=turns
    )
    if as_json:
        print_json(detail)
    else:
        _print(detail, chunk=False)

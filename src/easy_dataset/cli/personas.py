"""`easy-dataset personas ...`: genre–audience pairs per file: generate, list, add, edit, toggle."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.stage_commands import StageGroup
from easy_dataset.services import generation
from easy_dataset.services.generation import PersonaView

app = typer.Typer(
    cls=StageGroup,
    help="Genre–audience personas: questions and answers written for several readers.",
    no_args_is_help=True,
)

PersonaIds = Annotated[list[int], typer.Argument(help="Persona ids.")]


def _print(rows: list[PersonaView]) -> None:
    table = Table("id", "file", "on", "genre", "audience")
    for row in rows:
        table.add_row(
            str(row.id),
            str(row.file_id),
            "✓" if row.active else "",
            escape(row.genre),
            escape(row.audience),
        )
    console.print(table)


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    file: Annotated[int | None, typer.Option("--file", help="File id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List personas by file."""
    rows = generation.list_personas(state(ctx).app(), project, file_id=file)
    if as_json:
        print_json(rows)
    elif rows:
        _print(rows)
    else:
        console.print("no personas yet (`easy-dataset personas generate` proposes some)")


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    project: ProjectOption,
    file: Annotated[int, typer.Option("--file", help="File id.")],
    genre: Annotated[str, typer.Option("--genre", help="e.g. 'FAQ', 'exam question'.")],
    audience: Annotated[str, typer.Option("--audience", help="e.g. 'a first-year student'.")],
    genre_description: Annotated[str, typer.Option("--genre-description")] = "",
    audience_description: Annotated[str, typer.Option("--audience-description")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add a persona to a file."""
    row = generation.add_persona(
        state(ctx).app(),
        project,
        file,
        genre=genre,
        audience=audience,
        genre_description=genre_description,
        audience_description=audience_description,
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"added persona #{row.id}: {escape(row.genre)} for {escape(row.audience)}")


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    persona_id: Annotated[int, typer.Argument(help="Persona id.")],
    project: ProjectOption,
    genre: Annotated[str | None, typer.Option("--genre")] = None,
    audience: Annotated[str | None, typer.Option("--audience")] = None,
    genre_description: Annotated[str | None, typer.Option("--genre-description")] = None,
    audience_description: Annotated[str | None, typer.Option("--audience-description")] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a persona's genre, audience or their descriptions."""
    row = generation.edit_persona(
        state(ctx).app(),
        project,
        persona_id,
        genre=genre,
        audience=audience,
        genre_description=genre_description,
        audience_description=audience_description,
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"persona #{row.id}: {escape(row.genre)} for {escape(row.audience)}")


@app.command("toggle")
@guarded
def toggle(
    ctx: typer.Context,
    persona_ids: PersonaIds,
    project: ProjectOption,
    off: Annotated[bool, typer.Option("--off", help="Switch off instead of on.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Switch personas on (or off): questions are written once per active persona."""
    rows = generation.set_personas_active(state(ctx).app(), project, persona_ids, not off)
    if as_json:
        print_json(rows)
    else:
        _print(rows)

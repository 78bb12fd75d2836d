"""`easy-dataset chunks ...`: split files, inspect chunks and edit them by hand."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from easy_dataset.cli import chunk_cleaning
from easy_dataset.cli.chunk_options import (
    ChunkOptions,
    Delimiter,
    Language,
    MaxChars,
    MinChars,
    Overlap,
    Separators,
    Size,
    Strategy,
)
from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    heading_path,
    print_json,
    progress_bar,
    state,
)
from easy_dataset.cli.stage_commands import StageGroup
from easy_dataset.errors import InputError
from easy_dataset.services import chunks, projects
from easy_dataset.services.views import ChunkView, SplitOutcome

# A StageGroup: `chunks clean` is the chunks.clean stage's command.
app = typer.Typer(
    cls=StageGroup,
    help="Split files into chunks, review and edit them, clean them with the model.",
    no_args_is_help=True,
)
app.add_typer(chunk_cleaning.app, name="cleaning")
app.command("restore")(chunk_cleaning.restore)

ChunkId = Annotated[int, typer.Argument(help="Chunk id.")]


def _preview(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_chunk(chunk: ChunkView) -> None:
    console.print(
        f"[bold]chunk {chunk.id}[/] · file {chunk.file_id} ({escape(chunk.file_name)}) · "
        f"#{chunk.ordinal} · {chunk.size:,} characters"
    )
    console.print(f"[dim]{escape(heading_path(chunk.heading_path))}[/]")
    console.rule()
    # Printed as plain text: the user must see exactly what is stored.
    console.print(chunk.content, markup=False, highlight=False)


@app.command("split")
@guarded
def split(
    ctx: typer.Context,
    project: ProjectOption,
    file_ids: Annotated[
        list[int] | None, typer.Argument(help="Files to split (default: all).")
    ] = None,
    strategy: Strategy = None,
    min_chars: MinChars = None,
    max_chars: MaxChars = None,
    size: Size = None,
    overlap: Overlap = None,
    separator: Separators = None,
    delimiter: Delimiter = None,
    language: Language = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Discard existing chunks and split again.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Split files into chunks. Options given here become the project's settings."""
    app_ = state(ctx).app()
    current = projects.get_project(app_, project).chunking
    settings = ChunkOptions(
        strategy, min_chars, max_chars, size, overlap, separator, delimiter, language
    ).apply(current)
    with progress_bar("splitting", total=len(file_ids) if file_ids else None) as bar:

        def advance(_outcome: SplitOutcome) -> None:
            bar.advance(bar.task_ids[0])

        outcomes = chunks.split_files(
            app_,
            project,
            file_ids=file_ids or None,
            settings=settings,
            replace=replace,
            on_progress=advance,
        )
    if as_json:
        print_json(outcomes)
        return
    for outcome in outcomes:
        if outcome.status == "split":
            console.print(
                f"split file {outcome.file_id} ({escape(outcome.file_name)}) into "
                f"{outcome.chunk_count} chunks"
            )
        else:
            console.print(
                f"kept the {outcome.chunk_count} chunks of file {outcome.file_id} "
                f"({escape(outcome.file_name)}); --replace splits it again"
            )


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    file_id: Annotated[int | None, typer.Option("--file", help="Only this file's chunks.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text the chunk contains.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List chunks in document order, a page at a time."""
    total, page = chunks.list_chunks(
        state(ctx).app(), project, file_id=file_id, search=search, limit=limit, offset=offset
    )
    if as_json:
        print_json({"total": total, "offset": offset, "limit": limit, "items": page})
        return
    table = Table("id", "file", "#", "size", "heading path", "text")
    for chunk in page:
        table.add_row(
            str(chunk.id),
            str(chunk.file_id),
            str(chunk.ordinal),
            str(chunk.size),
            escape(heading_path(chunk.heading_path)),
            escape(_preview(chunk.content)),
        )
    console.print(table)
    shown_to = offset + len(page)
    console.print(f"{offset + 1 if page else 0}–{shown_to} of {total}")


@app.command("show")
@guarded
def show(
    ctx: typer.Context,
    chunk_id: ChunkId,
    rendered: Annotated[bool, typer.Option("--rendered", help="Render the Markdown.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one chunk with its heading path."""
    chunk = chunks.get_chunk(state(ctx).app(), chunk_id)
    if as_json:
        print_json(chunk)
    elif rendered:
        console.print(f"[dim]{escape(heading_path(chunk.heading_path))}[/]")
        console.print(Markdown(chunk.content))
    else:
        _print_chunk(chunk)


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    chunk_id: ChunkId,
    text: Annotated[str | None, typer.Option("--text", help="The new text.")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="Read the new text from a file ('-': stdin).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replace a chunk's text."""
    if (text is None) == (from_file is None):
        raise InputError("give the new text with exactly one of --text or --from-file")
    if from_file is not None:
        try:
            text = sys.stdin.read() if str(from_file) == "-" else from_file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {from_file}: {exc}") from None
    assert text is not None
    chunk = chunks.edit_chunk(state(ctx).app(), chunk_id, text)
    if as_json:
        print_json(chunk)
    else:
        console.print(f"chunk {chunk.id} now has {chunk.size:,} characters")


@app.command("merge")
@guarded
def merge(
    ctx: typer.Context,
    chunk_ids: Annotated[list[int], typer.Argument(help="Two or more adjacent chunk ids.")],
    as_json: JsonOption = False,
) -> None:
    """Merge adjacent chunks of one file into one."""
    chunk = chunks.merge_chunks(state(ctx).app(), chunk_ids)
    if as_json:
        print_json(chunk)
    else:
        console.print(f"merged into chunk {chunk.id} ({chunk.size:,} characters)")


@app.command("split-at")
@guarded
def split_at(
    ctx: typer.Context,
    chunk_id: ChunkId,
    offset: Annotated[int, typer.Argument(help="Character offset where the second part starts.")],
    as_json: JsonOption = False,
) -> None:
    """Cut a chunk in two at a character offset."""
    first, second = chunks.split_chunk_at(state(ctx).app(), chunk_id, offset)
    if as_json:
        print_json([first, second])
    else:
        console.print(
            f"chunk {first.id} ({first.size:,} characters) and new chunk {second.id} "
            f"({second.size:,} characters)"
        )


@app.command("delete")
@guarded
def delete(
    ctx: typer.Context,
    chunk_ids: Annotated[list[int], typer.Argument(help="Chunk ids.")],
    as_json: JsonOption = False,
) -> None:
    """Delete one or many chunks (all ids must exist, or nothing is deleted)."""
    count = chunks.delete_chunks(state(ctx).app(), chunk_ids)
    if as_json:
        print_json({"deleted": count})
    else:
        console.print(f"deleted {count} chunks")

"""`easy-dataset files ...`: add documents to a project, list and remove them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    fail,
    guarded,
    human_size,
    print_json,
    progress_bar,
    state,
)
from easy_dataset.cli.hints import with_hint
from easy_dataset.services import files
from easy_dataset.services.views import AddOutcome

app = typer.Typer(help="Add, list and remove a project's documents.", no_args_is_help=True)


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders to search.")],
    project: ProjectOption,
    password: Annotated[
        str | None, typer.Option("--password", help="Password for encrypted PDFs.")
    ] = None,
    max_file_mb: Annotated[
        float | None,
        typer.Option("--max-file-mb", help="Refuse files larger than this (default 200)."),
    ] = None,
    no_split: Annotated[
        bool, typer.Option("--no-split", help="Only ingest; split later with `chunks split`.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Ingest documents (PDF, DOCX, EPUB, HTML, Markdown, text) and split them into chunks.

    A bad file is reported and skipped; the others are still added. The exit status is 1
    when any file failed.
    """
    cli_state = state(ctx)
    if max_file_mb is not None:
        cli_state.max_file_mb = max_file_mb
    app_ = cli_state.app()
    candidates = list(files.expand_paths(paths))
    with progress_bar("adding files", total=len(candidates)) as bar:

        def advance(outcome: AddOutcome) -> None:
            bar.advance(bar.task_ids[0])
            if outcome.status == "failed" and outcome.error:
                fail(escape(with_hint(outcome.error, outcome.error_subject)))

        outcomes = files.add_files(
            app_, project, candidates, password=password, split=not no_split, on_progress=advance
        )
    if as_json:
        print_json(outcomes)
    else:
        for outcome in outcomes:
            if outcome.status == "added" and outcome.file:
                added = outcome.file
                pages = f", {added.page_count} pages" if added.page_count else ""
                console.print(
                    f"added   {escape(added.name)} as file {added.id} ({added.format}"
                    f"{pages}, {added.char_count:,} characters, {added.chunk_count} chunks)"
                )
            elif outcome.status == "duplicate":
                console.print(
                    f"skipped {escape(outcome.path)}: same content as file {outcome.duplicate_of}"
                )
        counts = {
            status: sum(o.status == status for o in outcomes)
            for status in ("added", "duplicate", "failed")
        }
        console.print(
            f"{counts['added']} added, {counts['duplicate']} duplicates, {counts['failed']} failed"
        )
    if any(outcome.status == "failed" for outcome in outcomes):
        raise typer.Exit(1)


@app.command("list")
@guarded
def list_(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """List a project's files."""
    found = files.list_files(state(ctx).app(), project)
    if as_json:
        print_json(found)
        return
    table = Table("id", "name", "format", "size", "pages", "characters", "chunks")
    for row in found:
        table.add_row(
            str(row.id),
            escape(row.name),
            row.format,
            human_size(row.size_bytes),
            str(row.page_count or ""),
            f"{row.char_count:,}",
            str(row.chunk_count),
        )
    console.print(table)


def _outline_tree(nodes: list[Any]) -> Tree:
    tree = Tree("outline", guide_style="dim")

    def grow(branch: Tree, children: list[Any]) -> None:
        for node in children:
            grow(branch.add(escape(str(node["title"]))), node.get("children", []))

    grow(tree, nodes)
    return tree


@app.command("show")
@guarded
def show(
    ctx: typer.Context,
    file_id: Annotated[int, typer.Argument(help="File id.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Show a file's details and its outline (heading tree)."""
    found = files.get_file(state(ctx).app(), project, file_id)
    if as_json:
        print_json(found)
        return
    pages = f" · {found.page_count} pages" if found.page_count else ""
    console.print(
        f"[bold]{escape(found.name)}[/] (file {found.id}) · {found.format} · "
        f"{human_size(found.size_bytes)}{pages} · {found.char_count:,} characters · "
        f"{found.chunk_count} chunks"
    )
    console.print(f"sha256 {found.sha256}")
    console.print(_outline_tree(found.outline) if found.outline else "no headings")


@app.command("remove")
@guarded
def remove(
    ctx: typer.Context,
    file_ids: Annotated[list[int], typer.Argument(help="Ids of the files to remove.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Remove files with their chunks and stored copies."""
    removed = files.remove_files(state(ctx).app(), project, file_ids)
    if as_json:
        print_json(removed)
    else:
        for row in removed:
            console.print(f"removed file {row.id} ({escape(row.name)}, {row.chunk_count} chunks)")

"""`easy-dataset demo`: ingest and split the bundled sample document, then summarise."""

from __future__ import annotations

import time
from importlib.resources import as_file, files
from typing import Annotated, Any

import typer

from easy_dataset.cli.common import console, escape, fail, guarded, heading_path, state
from easy_dataset.errors import NotFoundError
from easy_dataset.services import chunks, projects
from easy_dataset.services import files as file_service

SAMPLE = "beekeeping.md"


def _count_headings(nodes: list[Any]) -> int:
    return sum(1 + _count_headings(node["children"]) for node in nodes)


@guarded
def demo(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", "-p", help="Project to use.")] = "demo",
) -> None:
    """Run the pipeline headless on the bundled sample and print a summary."""
    app_ = state(ctx).app()
    started = time.perf_counter()
    try:
        found = projects.get_project(app_, project)
    except NotFoundError:
        found = projects.create_project(
            app_, project, description="The bundled beekeeping guide, split into chunks."
        )
    with as_file(files("easy_dataset.samples") / SAMPLE) as sample:
        (outcome,) = file_service.add_files(app_, found.id, [sample])
    if outcome.status == "failed":
        fail(escape(outcome.error or "the sample could not be added"))
        raise typer.Exit(1)
    file_id = outcome.file.id if outcome.file else outcome.duplicate_of
    assert file_id is not None
    document = file_service.get_file(app_, found.id, file_id)
    total, page = chunks.list_chunks(app_, found.id, file_id=file_id, limit=10_000)
    sizes = [chunk.size for chunk in page]
    elapsed = time.perf_counter() - started

    verb = "ingested" if outcome.status == "added" else "already had"
    console.print(f"[bold]easy-dataset demo[/] — project {escape(found.name)} (id {found.id})")
    console.print(
        f"{verb} {SAMPLE}: {document.char_count:,} characters of Markdown, "
        f"{_count_headings(document.outline)} headings in its outline"
    )
    console.print(
        f"chunks: {total} (strategy {found.chunking.strategy}, sizes {min(sizes, default=0)}–"
        f"{max(sizes, default=0)} characters, mean {sum(sizes) // max(len(sizes), 1)})"
    )
    for chunk in page:
        # Every path starts with the document title; show the rest, one line per chunk.
        path = heading_path(chunk.heading_path[1:] or chunk.heading_path)
        console.print(
            f"  #{chunk.ordinal:<3} {chunk.size:>5}  {escape(path)}",
            no_wrap=True,
            overflow="ellipsis",
        )
    console.print(f"data home: {escape(str(app_.settings.home))}   time: {elapsed:.2f} s")
    console.print(
        f"next: `easy-dataset chunks list -p {escape(found.name)}` or "
        f"`easy-dataset chunks show {page[0].id if page else 'ID'}`"
    )

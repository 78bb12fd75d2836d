"""`easy-dataset demo`: ingest and split the bundled sample document, then summarise."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from easy_dataset.cli.common import console, escape, guarded, heading_path, state
from easy_dataset.services.demo import SAMPLE, run_demo


def _count_headings(nodes: list[Any]) -> int:
    return sum(1 + _count_headings(node["children"]) for node in nodes)


@guarded
def demo(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", "-p", help="Project to use.")] = "demo",
) -> None:
    """Run the pipeline headless on the bundled sample and print a summary."""
    app_ = state(ctx).app()
    summary = run_demo(app_, project)
    sizes = [chunk.size for chunk in summary.chunks]
    verb = "ingested" if summary.newly_added else "already had"
    name = escape(summary.project.name)
    console.print(f"[bold]easy-dataset demo[/] — project {name} (id {summary.project.id})")
    console.print(
        f"{verb} {SAMPLE}: {summary.file.char_count:,} characters of Markdown, "
        f"{_count_headings(summary.file.outline)} headings in its outline"
    )
    console.print(
        f"chunks: {len(sizes)} (strategy {summary.project.chunking.strategy}, sizes "
        f"{min(sizes, default=0)}–{max(sizes, default=0)} characters, "
        f"mean {sum(sizes) // max(len(sizes), 1)})"
    )
    for chunk in summary.chunks:
        # Every path starts with the document title; show the rest, one line per chunk.
        path = heading_path(chunk.heading_path[1:] or chunk.heading_path)
        console.print(
            f"  #{chunk.ordinal:<3} {chunk.size:>5}  {escape(path)}",
            no_wrap=True,
            overflow="ellipsis",
        )
    console.print(f"data home: {escape(str(app_.settings.home))}   time: {summary.seconds:.2f} s")
    first = summary.chunks[0].id if summary.chunks else "ID"
    console.print(
        f"next: `easy-dataset chunks list -p {name}` or `easy-dataset chunks show {first}`"
    )

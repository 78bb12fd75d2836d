"""`easy-dataset tags ...`: the project's domain tag tree, edited by hand."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.tree import Tree

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.stage_commands import StageGroup, after_stage
from easy_dataset.cli.stage_run import Addition
from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.services import tags
from easy_dataset.services.tags import TagNode

app = typer.Typer(
    cls=StageGroup, help="View, edit and build the domain tag tree.", no_args_is_help=True
)

TagId = Annotated[int, typer.Argument(help="Tag id.")]
ParentOption = Annotated[
    int | None, typer.Option("--parent", help="Parent tag id (default: top level).")
]


def _render(nodes: list[TagNode]) -> Tree:
    tree = Tree("tags", guide_style="dim")

    def grow(branch: Tree, children: list[TagNode]) -> None:
        for node in children:
            grow(branch.add(f"{escape(node.name)} [dim]#{node.id}[/]"), node.children)

    grow(tree, nodes)
    return tree


@app.command("list")
@guarded
def list_(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Show the tag tree."""
    found = tags.tag_tree(state(ctx).app(), project)
    if as_json:
        print_json(found)
    else:
        console.print(_render(found) if found else "no tags yet")


@after_stage("tags.build")
def _built(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    found = tags.tag_tree(state(ctx).app(), project)
    return Addition(lines=[_render(found) if found else "no tags"])


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tag name.")],
    project: ProjectOption,
    parent: ParentOption = None,
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add a tag."""
    node = tags.add_tag(state(ctx).app(), project, name, parent_id=parent, description=description)
    if as_json:
        print_json(node)
    else:
        console.print(f"added tag {escape(node.name)} (#{node.id})")


@app.command("rename")
@guarded
def rename(
    ctx: typer.Context,
    tag_id: TagId,
    name: Annotated[str, typer.Argument(help="New name.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Rename a tag."""
    node = tags.rename_tag(state(ctx).app(), project, tag_id, name)
    if as_json:
        print_json(node)
    else:
        console.print(f"tag #{node.id} is now {escape(node.name)}")


@app.command("move")
@guarded
def move(
    ctx: typer.Context,
    tag_id: TagId,
    project: ProjectOption,
    parent: ParentOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a tag (and its subtree) under another parent, or to the top without --parent."""
    node = tags.move_tag(state(ctx).app(), project, tag_id, parent)
    if as_json:
        print_json(node)
    else:
        console.print(f"moved tag #{node.id}")


@app.command("delete")
@guarded
def delete(
    ctx: typer.Context, tag_id: TagId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Delete a tag and its subtree; questions keep existing, untagged."""
    node = tags.delete_tag(state(ctx).app(), project, tag_id)
    if as_json:
        print_json(node)
    else:
        console.print(f"deleted tag {escape(node.name)}")


@app.command("import")
@guarded
def import_(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="JSON, Markdown headings or an indented list; '-' reads stdin.")
    ],
    project: ProjectOption,
    replace: Annotated[
        bool, typer.Option("--replace", help="Drop the current tree first.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a tree, e.g. a book's table of contents."""
    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {source}: {exc}") from None
    found = tags.import_tags(state(ctx).app(), project, text, replace=replace)
    if as_json:
        print_json(found)
    else:
        console.print(_render(found))


@app.command("lock")
@guarded
def lock(
    ctx: typer.Context,
    project: ProjectOption,
    off: Annotated[bool, typer.Option("--off", help="Unlock instead.")] = False,
) -> None:
    """Keep the model from rebuilding or revising the tree (hand edits still work)."""
    tags.set_tag_options(state(ctx).app(), project, locked=not off)
    console.print("tag tree unlocked" if off else "tag tree locked")


@app.command("enable")
@guarded
def enable(
    ctx: typer.Context,
    project: ProjectOption,
    off: Annotated[bool, typer.Option("--off", help="Switch tagging off instead.")] = False,
) -> None:
    """Switch tagging of questions on (or off with --off)."""
    tags.set_tag_options(state(ctx).app(), project, enabled=not off)
    console.print("tagging off" if off else "tagging on")

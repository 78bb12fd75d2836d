"""Evaluation sets and their items: list, create, rename, delete; review items (add,
edit, confirm, delete)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

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
from easy_dataset.services.evaluation import items, sets
from easy_dataset.services.evaluation.views import EvalItemView

SetOption = Annotated[str, typer.Option("--set", "-s", help="Evaluation set name or id.")]
SetArgument = Annotated[str, typer.Argument(help="Evaluation set name or id.")]
ItemIds = Annotated[list[int], typer.Argument(help="Item ids.", min=1)]
QUESTION_WIDTH = 60


@guarded
def list_sets(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """List the project's evaluation sets with their items per kind."""
    found = sets.list_sets(state(ctx).app(), project)
    if as_json:
        print_json([view.model_dump(mode="json") for view in found])
        return
    if not found:
        console.print("no evaluation sets; `easy-dataset eval generate` or `eval import` makes one")
        return
    table = Table("id", "name", "items", "confirmed", "kinds")
    for view in found:
        kinds = ", ".join(f"{kind} {count}" for kind, count in view.kinds.items() if count)
        table.add_row(str(view.id), escape(view.name), str(view.items), str(view.confirmed), kinds)
    console.print(table)


@guarded
def create_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new set's name.")],
    project: ProjectOption,
    description: Annotated[str, typer.Option(help="What the set tests.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an empty evaluation set."""
    view = sets.create_set(state(ctx).app(), project, name, description)
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        console.print(f"created evaluation set {escape(view.name)} ({view.id})")


@guarded
def rename_set(
    ctx: typer.Context,
    eval_set: SetArgument,
    project: ProjectOption,
    name: Annotated[str | None, typer.Option("--name", help="The new name.")] = None,
    description: Annotated[str | None, typer.Option(help="The new description.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Rename an evaluation set or change its description."""
    view = sets.update_set(state(ctx).app(), project, eval_set, name=name, description=description)
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        console.print(f"evaluation set {view.id} is {escape(view.name)}")


@guarded
def delete_set(
    ctx: typer.Context,
    eval_set: SetArgument,
    project: ProjectOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete an evaluation set and its items (held-out pairs become exportable again)."""
    if not yes:
        typer.confirm(f"Delete evaluation set {eval_set!r} and its items?", abort=True)
    view = sets.delete_set(state(ctx).app(), project, eval_set)
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        console.print(f"deleted {escape(view.name)} with {counted(view.items, 'item')}")


def _print_items(found: list[EvalItemView], total: int) -> None:
    table = Table("id", "kind", "question", "answer", "chunk", "origin", "confirmed")
    for item in found:
        question = (
            item.question
            if len(item.question) <= QUESTION_WIDTH
            else (item.question[: QUESTION_WIDTH - 1] + "…")
        )
        table.add_row(
            str(item.id), item.kind, escape(question), escape(item.answer[:40]),
            str(item.chunk_id or ""), item.origin, "yes" if item.confirmed else "",
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(found)} of {counted(total, 'item')}")


@guarded
def list_items(
    ctx: typer.Context,
    eval_set: SetOption,
    project: ProjectOption,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only items with this tag on their path.")] = None,
    confirmed: Annotated[
        bool | None, typer.Option("--confirmed/--unconfirmed", help="Only (un)confirmed items.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List a set's items."""
    found, total = items.list_items(
        state(ctx).app(), project, eval_set, kind=kind, tag=tag, confirmed=confirmed,
        limit=limit, offset=offset,
    )  # fmt: skip
    if as_json:
        print_json({"items": [item.model_dump(mode="json") for item in found], "total": total})
    else:
        _print_items(found, total)


OptionsOption = Annotated[
    list[str] | None, typer.Option("--option", help="A choice, in letter order (repeat).")
]
TagsOption = Annotated[
    list[str] | None, typer.Option("--tag", help="A level of the tag path, top first (repeat).")
]


@guarded
def add_item(
    ctx: typer.Context,
    eval_set: SetOption,
    project: ProjectOption,
    kind: Annotated[
        str, typer.Option(help="true_false, single_choice, multiple_choice, short_answer or open.")
    ],
    question: Annotated[str, typer.Option(help="The question.")],
    answer: Annotated[str, typer.Option(help="true/false, the correct letters, or a text.")],
    option: OptionsOption = None,
    tag: TagsOption = None,
    note: Annotated[str, typer.Option(help="A note for reviewers.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add an item written by hand."""
    view = items.add_item(
        state(ctx).app(), project, eval_set, kind=kind, question=question, answer=answer,
        options=option or [], tag_path=tag or [], note=note,
    )  # fmt: skip
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        console.print(f"added item {view.id} ({view.kind}, answer {escape(view.answer)})")


@guarded
def edit_item(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="Item id.")],
    project: ProjectOption,
    kind: Annotated[str | None, typer.Option(help="A new kind.")] = None,
    question: Annotated[str | None, typer.Option(help="A new question.")] = None,
    answer: Annotated[str | None, typer.Option(help="A new reference answer.")] = None,
    option: OptionsOption = None,
    no_options: Annotated[bool, typer.Option("--no-options", help="Remove the options.")] = False,
    tag: TagsOption = None,
    note: Annotated[str | None, typer.Option(help="A new note.")] = None,
    confirm: Annotated[
        bool | None, typer.Option("--confirm/--unconfirm", help="Confirm it, or take that back.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Edit an item; the edited item is checked whole (its answer must fit its options)."""
    options = [] if no_options else option
    view = items.edit_item(
        state(ctx).app(), project, item_id, kind=kind, question=question, options=options,
        answer=answer, tag_path=tag, note=note, confirmed=confirm,
    )  # fmt: skip
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        console.print(f"item {view.id}: {view.kind}, answer {escape(view.answer)}")


@guarded
def delete_items(
    ctx: typer.Context, item_ids: ItemIds, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Delete items (a held-out item deleted releases its QA pair for export)."""
    deleted = items.delete_items(state(ctx).app(), project, item_ids)
    if as_json:
        print_json({"deleted": deleted})
    else:
        console.print(f"deleted {counted(deleted, 'item')}")


@guarded
def confirm_items(
    ctx: typer.Context,
    item_ids: ItemIds,
    project: ProjectOption,
    undo: Annotated[bool, typer.Option("--undo", help="Mark them unconfirmed.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Confirm items after review."""
    found = items.confirm_items(state(ctx).app(), project, item_ids, confirmed=not undo)
    if as_json:
        print_json([item.model_dump(mode="json") for item in found])
    else:
        state_word = "unconfirmed" if undo else "confirmed"
        console.print(f"{state_word} {counted(len(found), 'item')}")

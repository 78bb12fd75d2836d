"""`easy-dataset templates ...`: fixed questions asked of every chunk, with an answer type."""

from __future__ import annotations

import json
from typing import Annotated, Any

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
from easy_dataset.errors import InputError
from easy_dataset.services.generation import templates
from easy_dataset.services.generation.templates import TemplateView

app = typer.Typer(
    cls=StageGroup,
    help="Question templates: one question asked of every chunk.",
    no_args_is_help=True,
)

TemplateId = Annotated[int, typer.Argument(help="Template id.")]
TypeOption = Annotated[str | None, typer.Option("--type", help="Answer type: text | label | json.")]
LabelOption = Annotated[
    list[str] | None, typer.Option("--label", help="An allowed label (repeat for each).")
]
SchemaOption = Annotated[
    str | None, typer.Option("--schema", help="JSON schema of the answer (for --type json).")
]


def _schema(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--schema is not JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise InputError("--schema must be a JSON object")
    return schema


def _describe(row: TemplateView) -> str:
    if row.answer_type == "label":
        return "label: " + " | ".join(row.labels)
    if row.answer_type == "json":
        return "json: " + json.dumps(row.json_schema, ensure_ascii=False)
    return "text"


@app.command("list")
@guarded
def list_(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """List the project's question templates."""
    rows = templates.list_templates(state(ctx).app(), project)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no question templates")
        return
    table = Table("id", "question", "answer")
    for row in rows:
        table.add_row(str(row.id), escape(row.question), escape(_describe(row)))
    console.print(table)


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question asked of every chunk.")],
    project: ProjectOption,
    answer_type: TypeOption = None,
    label: LabelOption = None,
    schema: SchemaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a template; `templates apply` asks it of every chunk."""
    row = templates.add_template(
        state(ctx).app(),
        project,
        question,
        answer_type=answer_type or "text",
        labels=label,
        json_schema=_schema(schema),
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"added template #{row.id} ({escape(_describe(row))})")


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    template_id: TemplateId,
    project: ProjectOption,
    question: Annotated[str | None, typer.Option("--question")] = None,
    answer_type: TypeOption = None,
    label: LabelOption = None,
    schema: SchemaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a template (chunks already asked keep their answers)."""
    row = templates.edit_template(
        state(ctx).app(),
        project,
        template_id,
        question=question,
        answer_type=answer_type,
        labels=label,
        json_schema=_schema(schema),
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"template #{row.id}: {escape(row.question)} ({escape(_describe(row))})")


@app.command("delete")
@guarded
def delete(
    ctx: typer.Context, template_id: TemplateId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Delete a template; the QA pairs it produced stay."""
    row = templates.delete_template(state(ctx).app(), project, template_id)
    if as_json:
        print_json(row)
    else:
        console.print(f"deleted template #{row.id}")

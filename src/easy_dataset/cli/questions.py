"""`easy-dataset questions ...`: generate, list, add, edit, delete and answer questions."""

from __future__ import annotations

from typing import Annotated, Any

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
from easy_dataset.cli.corrections import citation_line
from easy_dataset.cli.stage_commands import StageGroup, after_stage
from easy_dataset.cli.stage_run import Addition
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, quality, stages

app = typer.Typer(
    cls=StageGroup, help="Generate, review and answer questions.", no_args_is_help=True
)

QuestionId = Annotated[int, typer.Argument(help="Question id.")]
TagOption = Annotated[int | None, typer.Option("--tag", help="Domain tag id.")]
ScopeTagOption = Annotated[
    list[int] | None,
    typer.Option("--tag", help="Only questions with this tag or a tag under it (repeatable)."),
]


@after_stage("answers.generate")
def _unanswered(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    """Say why questions stay unanswered rather than leave them unexplained, and how the
    answers' quotes fared when citations were asked for."""
    app_ = state(ctx).app()
    added = Addition()
    if options.get("citations") and summary.total:
        cited = quality.citation_summary(app_, project, summary.job_id)
        added.extra["citations"] = cited.model_dump()
        added.lines.append(f"citations: {citation_line(cited)}")
    left = stages.estimate_stage(app_, project, "answers.generate", **options)
    if left.skipped_no_chunk:
        added.lines.append(
            f"{counted(left.skipped_no_chunk, 'generated question')} not answered: their "
            "chunk was deleted (add them again by hand to answer without context)"
        )
    return added


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    file: Annotated[int | None, typer.Option("--file", help="File id.")] = None,
    chunk: Annotated[int | None, typer.Option("--chunk", help="Chunk id.")] = None,
    tag: TagOption = None,
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin",
            help="generated | template | manual | distilled | cross_chunk | unanswerable.",
        ),
    ] = None,
    answered: Annotated[
        bool | None, typer.Option("--answered/--unanswered", help="Only (un)answered ones.")
    ] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text to find.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List questions, oldest first."""
    found = generation.list_questions(
        state(ctx).app(),
        project,
        file_id=file,
        chunk_id=chunk,
        tag_id=tag,
        origin=origin,
        answered=answered,
        search=search,
        limit=limit,
        offset=offset,
    )
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no questions match")
        return
    table = Table("id", "chunk", "tag", "origin", "answered", "evolved from", "question")
    for row in found:
        table.add_row(
            str(row.id),
            str(row.chunk_id or ""),
            escape(row.tag or ""),
            row.origin,
            "yes" if row.answered else "",
            f"#{row.parent_question_id} ({row.evolution})" if row.parent_question_id else "",
            escape(row.text),
        )
    console.print(table)


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The question.")],
    project: ProjectOption,
    chunk: Annotated[int | None, typer.Option("--chunk", help="Chunk to answer it from.")] = None,
    tag: TagOption = None,
    persona: Annotated[int | None, typer.Option("--persona", help="Persona id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a question by hand; `questions answer` answers it from its --chunk, or without
    context (from the model's own knowledge) when it has none."""
    row = generation.add_question(
        state(ctx).app(), project, text, chunk_id=chunk, tag_id=tag, ga_pair_id=persona
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"added question #{row.id}")


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    question_id: QuestionId,
    project: ProjectOption,
    text: Annotated[str | None, typer.Option("--text", help="New wording.")] = None,
    tag: TagOption = None,
    no_tag: Annotated[bool, typer.Option("--no-tag", help="Remove its tag.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Reword a question (its QA pairs follow) or change its tag."""
    row = generation.edit_question(
        state(ctx).app(), project, question_id, text=text, tag_id=tag, clear_tag=no_tag
    )
    if as_json:
        print_json(row)
    else:
        console.print(f"question #{row.id}: {escape(row.text)} [dim]({escape(row.tag or '-')})[/]")


@app.command("delete")
@guarded
def delete(
    ctx: typer.Context,
    question_ids: Annotated[list[int], typer.Argument(help="Question ids.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Delete questions (all or none); their QA pairs stay."""
    count = generation.delete_questions(state(ctx).app(), project, question_ids)
    if as_json:
        print_json({"deleted": count})
    else:
        console.print(f"deleted {counted(count, 'question')}")

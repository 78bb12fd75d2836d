"""`easy-dataset qa ...`: review QA pairs: list, show, edit, confirm, rate, tag, note, revise,
and refine (the `answers.refine` stage: the self-correction loop)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer
from rich.panel import Panel
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    heading_path,
    print_json,
    state,
)
from easy_dataset.cli.corrections import citation_line, refine_line
from easy_dataset.cli.stage_commands import StageGroup, after_stage
from easy_dataset.cli.stage_run import Addition, ModelOption
from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, quality
from easy_dataset.services.generation import QADetail, QAView

app = typer.Typer(cls=StageGroup, help="Review and refine QA pairs.", no_args_is_help=True)

QaId = Annotated[int, typer.Argument(help="QA pair id.")]
PREVIEW = 80


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def _line(pair: QAView) -> str:
    score = "-" if pair.score is None else f"{pair.score:g}"
    mark = "✓" if pair.confirmed else " "
    return f"{mark} #{pair.id} (score {score}) {escape(_short(pair.question))}"


@after_stage("answers.refine")
def _refined(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    """How many answers the job improved, left as they were, or could not improve."""
    app_ = state(ctx).app()
    figures = quality.refine_summary(app_, project, summary.job_id)
    added = Addition(
        extra={"refine": figures.model_dump()},
        nothing="answers.refine: nothing to do (every unconfirmed answer was refined; "
        "--redo refines them again)",
    )
    if summary.total:
        added.lines.append(f"self-correction: {refine_line(figures)}")
    if options.get("citations"):
        cited = quality.citation_summary(app_, project, summary.job_id)
        added.extra["citations"] = cited.model_dump()
        if summary.total:
            added.lines.append(f"citations of the rewrites kept: {citation_line(cited)}")
    return added


def print_source_chunk(detail: QADetail) -> None:
    """A sample's source chunk in a dim panel, or a line saying it was deleted."""
    if detail.chunk is not None:
        where = escape(heading_path(detail.chunk.heading_path))
        console.print(
            Panel(
                escape(detail.chunk.content),
                title=f"chunk #{detail.chunk.id} · {where}",
                title_align="left",
                style="dim",
            )
        )
    else:
        console.print("[dim]its source chunk has been deleted[/]")


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    confirmed: Annotated[
        bool | None, typer.Option("--confirmed/--unconfirmed", help="Only (un)confirmed ones.")
    ] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", min=0, max=5)] = None,
    max_score: Annotated[float | None, typer.Option("--max-score", min=0, max=5)] = None,
    with_cot: Annotated[
        bool | None,
        typer.Option("--with-cot/--without-cot", help="Only pairs with (without) reasoning."),
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", help="A reviewer tag or a domain tag's name.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="qa (single-turn pairs) | dialogue.")
    ] = None,
    unanswerable: Annotated[
        bool | None,
        typer.Option(
            "--unanswerable/--answerable",
            help="Only samples answering unanswerable questions (or only the others).",
        ),
    ] = None,
    file: Annotated[int | None, typer.Option("--file", help="File id.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in the question or answer.")
    ] = None,
    min_judge: Annotated[
        float | None, typer.Option("--min-judge", min=0, max=5, help="Judge's score at least.")
    ] = None,
    max_judge: Annotated[
        float | None, typer.Option("--max-judge", min=0, max=5, help="Judge's score at most.")
    ] = None,
    flagged: Annotated[
        list[str] | None,
        typer.Option("--flagged", help="Flagged by this check (judge, pii...); repeat for any."),
    ] = None,
    not_flagged: Annotated[
        list[str] | None,
        typer.Option("--not-flagged", help="Not flagged by this check; repeat for none of them."),
    ] = None,
    sampled: Annotated[
        bool | None,
        typer.Option("--sampled/--not-sampled", help="Only pairs in (out of) the review sample."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List QA pairs and dialogues (a dialogue shows its first question and last answer),
    oldest first."""
    found = generation.list_qa(
        state(ctx).app(),
        project,
        confirmed=confirmed,
        min_score=min_score,
        max_score=max_score,
        has_cot=with_cot,
        kind=kind,
        unanswerable=unanswerable,
        tag=tag,
        file_id=file,
        search=search,
        min_judge=min_judge,
        max_judge=max_judge,
        flagged=flagged or None,
        not_flagged=not_flagged or None,
        sampled=sampled,
        limit=limit,
        offset=offset,
    )
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no QA pairs match")
        return
    table = Table("id", "kind", "ok", "score", "tags", "question", "answer")
    for pair in found:
        table.add_row(
            str(pair.id),
            pair.kind,
            "✓" if pair.confirmed else "",
            "" if pair.score is None else f"{pair.score:g}",
            escape(", ".join(pair.user_tags)),
            escape(_short(pair.question)),
            escape(_short(pair.answer)),
        )
    console.print(table)


@app.command("show")
@guarded
def show(
    ctx: typer.Context, qa_id: QaId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Show a QA pair beside the chunk it was answered from."""
    detail = generation.get_qa(state(ctx).app(), project, qa_id)
    if as_json:
        print_json(detail)
        return
    provenance = detail.provenance
    score = "-" if detail.score is None else f"{detail.score:g}"
    console.print(
        f"[bold]QA pair #{detail.id}[/]  confirmed: {'yes' if detail.confirmed else 'no'}  "
        f"score: {score}  model: {escape(detail.model)}"
    )
    console.print(Panel(escape(detail.question), title="question", title_align="left"))
    if detail.cot:
        console.print(Panel(escape(detail.cot), title="reasoning", title_align="left"))
    console.print(Panel(escape(detail.answer), title="answer", title_align="left"))
    print_source_chunk(detail)
    details = [
        f"file: {escape(str(provenance['file']))}" if provenance.get("file") else "",
        f"persona: {escape(str(provenance['persona']))}" if provenance.get("persona") else "",
        f"domain tag: {escape(str(provenance['tag']))}" if provenance.get("tag") else "",
        f"your tags: {escape(', '.join(detail.user_tags))}" if detail.user_tags else "",
        f"note: {escape(detail.note)}" if detail.note else "",
        f"prompt: {escape(str(provenance['prompt']))} v{provenance.get('version', '?')}"
        if provenance.get("prompt")
        else "",
        f"revisions: {len(provenance['revisions'])}" if provenance.get("revisions") else "",
    ]
    for line in filter(None, details):
        console.print(line)


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    qa_id: QaId,
    project: ProjectOption,
    question: Annotated[str | None, typer.Option("--question", help="New question.")] = None,
    answer: Annotated[str | None, typer.Option("--answer", help="New answer.")] = None,
    cot: Annotated[
        str | None, typer.Option("--cot", help="New chain of thought ('' removes it).")
    ] = None,
    confirm: Annotated[
        bool | None,
        typer.Option(
            "--confirm/--unconfirm", help="Confirm (or un-confirm) it with the edit, at once."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rewrite the question, answer or reasoning by hand (a new question is also its
    question's text in `questions list`); --confirm confirms it in the same step."""
    pair = generation.edit_qa(
        state(ctx).app(),
        project,
        qa_id,
        question=question,
        answer=answer,
        cot=cot,
        confirmed=confirm,
    )
    if as_json:
        print_json(pair)
    else:
        console.print(f"edited {_line(pair)}")


@app.command("confirm")
@guarded
def confirm(
    ctx: typer.Context,
    qa_ids: Annotated[list[int], typer.Argument(help="QA pair ids.")],
    project: ProjectOption,
    undo: Annotated[bool, typer.Option("--undo", help="Un-confirm instead.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Mark QA pairs as reviewed and good (all or none)."""
    pairs = generation.confirm_qa(state(ctx).app(), project, qa_ids, confirmed=not undo)
    if as_json:
        print_json(pairs)
        return
    for pair in pairs:
        console.print(_line(pair))


@app.command("rate")
@guarded
def rate(
    ctx: typer.Context,
    qa_id: QaId,
    project: ProjectOption,
    score: Annotated[float | None, typer.Argument(help="0 to 5.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the score.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Score a QA pair from 0 to 5."""
    if score is None and not clear:
        raise InputError("give a score from 0 to 5, or --clear")
    pair = generation.rate_qa(state(ctx).app(), project, qa_id, None if clear else score)
    if as_json:
        print_json(pair)
    else:
        console.print(_line(pair))


@app.command("tag")
@guarded
def tag(
    ctx: typer.Context,
    qa_id: QaId,
    tags: Annotated[list[str], typer.Argument(help="Tags (your own words).")],
    project: ProjectOption,
    remove: Annotated[bool, typer.Option("--remove", help="Remove these tags.")] = False,
    replace: Annotated[bool, typer.Option("--set", help="Replace all tags with these.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add your own tags to a QA pair (or remove or replace them)."""
    if remove and replace:
        raise InputError("--remove and --set do not go together")
    mode: Literal["add", "remove", "set"] = "remove" if remove else "set" if replace else "add"
    pair = generation.tag_qa(state(ctx).app(), project, qa_id, tags, mode=mode)
    if as_json:
        print_json(pair)
    else:
        console.print(f"#{pair.id} tags: {escape(', '.join(pair.user_tags)) or '(none)'}")


@app.command("note")
@guarded
def note(
    ctx: typer.Context,
    qa_id: QaId,
    text: Annotated[str, typer.Argument(help="The note ('' clears it).")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Attach a reviewer's note to a QA pair."""
    pair = generation.note_qa(state(ctx).app(), project, qa_id, text)
    if as_json:
        print_json(pair)
    else:
        console.print(f"#{pair.id} note: {escape(pair.note) or '(none)'}")


@app.command("revise")
@guarded
def revise(
    ctx: typer.Context,
    qa_id: QaId,
    advice: Annotated[str, typer.Argument(help="What should change in the answer.")],
    project: ProjectOption,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Have the model rewrite the answer following your advice (the old one is kept)."""
    pair = generation.revise_qa(state(ctx).app(), project, qa_id, advice, model=model)
    if as_json:
        print_json(pair)
    else:
        console.print(Panel(escape(pair.answer), title=f"revised answer #{pair.id}"))

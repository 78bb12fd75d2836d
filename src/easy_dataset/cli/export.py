"""`easy-dataset export`: write a project's QA pairs as a fine-tuning dataset file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    err_console,
    escape,
    guarded,
    human_size,
    print_json,
    state,
)
from easy_dataset.errors import InputError
from easy_dataset.export import CotMode, ExportFormat, ExportOptions, FileType, QuestionSlot
from easy_dataset.export import file_type_for as suffix_file_type
from easy_dataset.services.export import (
    ExportFilters,
    ExportSummary,
    UnanswerableFilter,
    export_dataset,
)


def _field_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, name = pair.partition("=")
        if not sep or not source.strip() or not name.strip():
            raise InputError(f"--field takes SOURCE=NAME (like question=prompt), not {pair!r}")
        mapping[source.strip()] = name.strip()
    return mapping


def _filters(
    confirmed_only: bool,
    min_score: float | None,
    tags: list[str],
    ids: list[int],
    min_judge: float | None = None,
    exclude_flagged: list[str] | None = None,
    kinds: list[str] | None = None,
    unanswerable: UnanswerableFilter = "keep",
) -> ExportFilters:
    try:
        # Validated from plain values: the kinds are checked here, as typed.
        return ExportFilters.model_validate(
            {
                "confirmed_only": confirmed_only,
                "kinds": kinds or [],
                "min_score": min_score,
                "tags": tags,
                "ids": ids,
                "min_judge": min_judge,
                "exclude_flagged": exclude_flagged or [],
                "unanswerable": unanswerable,
            }
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        option = "--kind: " if problem["loc"][:1] == ("kinds",) else ""
        raise InputError(option + problem["msg"].removeprefix("Value error, ")) from None


def _summary_line(summary: ExportSummary) -> str:
    where = summary.path or "standard output"
    line = (
        f"exported {summary.count:,} sample{'' if summary.count == 1 else 's'} "
        f"({summary.format}, {summary.file_type}) "
        f"to {where} ({human_size(summary.bytes)})"
    )
    if summary.dataset_info_path:
        line += f"; LLaMA-Factory entry in {summary.dataset_info_path}"
    return line


@guarded
def export(
    ctx: typer.Context,
    project: ProjectOption,
    out: Annotated[
        str,
        typer.Option("--out", "-o", help="Output file ('-': standard output).", show_default=False),
    ],
    format_: Annotated[ExportFormat, typer.Option("--format", help="Record shape.")] = "alpaca",
    file_type: Annotated[
        FileType | None,
        typer.Option("--file-type", help="json | jsonl.", show_default="from OUT's suffix"),
    ] = None,
    system: Annotated[
        str | None, typer.Option("--system", help="System prompt written with every record.")
    ] = None,
    cot: Annotated[
        CotMode | None,
        typer.Option(
            "--cot",
            help="think: <think> block before the answer; field: its own field; omit.",
            show_default="think (field for reasoning)",
        ),
    ] = None,
    question_as: Annotated[
        QuestionSlot, typer.Option("--question-as", help="alpaca: where the question goes.")
    ] = "instruction",
    instruction: Annotated[
        str | None,
        typer.Option("--instruction", help="alpaca: instruction text when the question is input."),
    ] = None,
    fields: Annotated[
        list[str] | None,
        typer.Option("--field", help="custom: SOURCE=NAME (question, answer, cot...); repeat."),
    ] = None,
    provenance: Annotated[
        bool, typer.Option("--provenance", help="Add a metadata object: id, file, tags, model...")
    ] = False,
    citations: Annotated[
        bool,
        typer.Option(
            "--citations",
            help="Add a citations list: the chunk spans each answer quotes, verified or not.",
        ),
    ] = False,
    kinds: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only samples of this kind (qa, dialogue); repeat."),
    ] = None,
    confirmed_only: Annotated[
        bool, typer.Option("--confirmed-only", help="Only samples a reviewer confirmed.")
    ] = False,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Only QA pairs scored at least this.")
    ] = None,
    tags: Annotated[
        list[str] | None, typer.Option("--tag", help="Only QA pairs with this tag; repeat.")
    ] = None,
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="Only this QA pair; repeat.")
    ] = None,
    min_judge: Annotated[
        float | None,
        typer.Option("--min-judge", help="Only QA pairs the judge scored at least this."),
    ] = None,
    exclude_flagged: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-flagged",
            help="Leave out QA pairs this check flagged (duplicate, pii...); repeat.",
        ),
    ] = None,
    unanswerable: Annotated[
        UnanswerableFilter,
        typer.Option(
            "--unanswerable",
            help="Samples answering unanswerable questions: keep, drop or only them.",
        ),
    ] = "keep",
    llamafactory: Annotated[
        bool, typer.Option("--llamafactory", help="Also write LLaMA-Factory's dataset_info.json.")
    ] = False,
    dataset_name: Annotated[
        str | None,
        typer.Option(
            "--dataset-name", help="Name in dataset_info.json.", show_default="OUT's stem"
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUT if it exists.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Export samples (QA pairs, dialogues) as Alpaca, ShareGPT, OpenAI messages, reasoning or
    custom records."""
    to_stdout = out == "-"
    if to_stdout and as_json:
        raise InputError("--json prints the summary on standard output; write the data to a file")
    options = ExportOptions(
        format=format_,
        file_type=file_type or ("jsonl" if to_stdout else suffix_file_type(out)),
        system_prompt=system,
        cot=cot,
        alpaca_question_as=question_as,
        alpaca_instruction=instruction,
        field_map=_field_map(fields or []),
        include_provenance=provenance,
        include_citations=citations,
    )
    summary = export_dataset(
        state(ctx).app(),
        project,
        sys.stdout.buffer if to_stdout else Path(out),
        options,
        _filters(
            confirmed_only,
            min_score,
            tags or [],
            ids or [],
            min_judge,
            exclude_flagged,
            kinds,
            unanswerable,
        ),
        overwrite=overwrite,
        llamafactory=llamafactory,
        dataset_name=dataset_name,
    )
    if as_json:
        print_json(summary)
    elif to_stdout:
        sys.stdout.flush()
        err_console.print(escape(_summary_line(summary)))
    else:
        console.print(escape(_summary_line(summary)))

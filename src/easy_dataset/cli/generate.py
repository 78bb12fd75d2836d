"""`easy-dataset generate PATH... -o OUT`: the whole pipeline in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from easy_dataset.cli.common import JsonOption, console, escape, guarded, print_json, state
from easy_dataset.cli.jobs import run_stages
from easy_dataset.export.options import (
    CotMode,
    ExportFormat,
    ExportOptions,
    FileType,
    file_type_for,
)
from easy_dataset.llm.types import ModelConfig, Provider
from easy_dataset.services import models
from easy_dataset.services.pipeline import (
    PipelineRequest,
    PipelineSummary,
    StageReport,
    run_pipeline,
)

MaxChunksOption = Annotated[
    int | None,
    typer.Option(
        "--max-chunks", min=1, help="Questions and answers for the first N chunks only (a trial)."
    ),
]


def _model(
    model: str | None,
    provider: Provider | None,
    base_url: str | None,
    api_key_env: str | None,
    concurrency: int | None,
) -> ModelConfig | None:
    if model is None:
        return None
    values: dict[str, Any] = {
        "name": "pipeline",
        "provider": provider or ("custom" if base_url else "openai"),
        "model": model,
        "base_url": base_url,
        "api_key_env": api_key_env,
    }
    if concurrency is not None:
        values["concurrency"] = concurrency
    return models.parse_config(values)


def print_stage_reports(stages: list[StageReport]) -> None:
    """One row per stage's job, then the first failures of each with their reasons."""
    table = Table("stage", "job", "items", "succeeded", "failed", "seconds")
    for stage in stages:
        table.add_row(
            stage.stage,
            str(stage.job_id),
            str(stage.total),
            str(stage.succeeded),
            str(stage.failed),
            f"{stage.seconds:.1f}",
        )
    console.print(table)
    for stage in stages:
        for failure in stage.failures[:10]:
            console.print(
                f"[red]{stage.stage} {escape(failure.item_key)}[/] ({failure.kind}): "
                f"{escape(failure.message)}"
            )


def print_summary(summary: PipelineSummary) -> None:
    console.print(f"[bold]project {escape(summary.project)}[/]")
    console.print(
        f"files: {summary.files} ({summary.files_added} added, {summary.files_known} known)   "
        f"chunks: {summary.chunks}   questions: {summary.questions}   QA pairs: {summary.qa_pairs}"
    )
    for error in summary.file_errors:
        console.print(f"[red]file error:[/] {escape(error)}")
    print_stage_reports(summary.stages)
    console.print(
        f"model calls: {summary.calls}   tokens: {summary.prompt_tokens:,} prompt + "
        f"{summary.completion_tokens:,} completion   time: {summary.seconds:.1f} s"
    )
    console.print(
        f"dataset: {escape(summary.export.path or '')} ({summary.export.count} records, "
        f"{summary.export.format}, {summary.export.file_type})"
    )


@guarded
def generate(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Documents, or folders to search.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The dataset file to write.")],
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Project (default: the output's name).")
    ] = None,
    format_: Annotated[ExportFormat, typer.Option("--format", help="Record format.")] = "alpaca",
    file_type: Annotated[
        FileType | None, typer.Option("--file-type", help="json | jsonl (default: from -o).")
    ] = None,
    system: Annotated[str | None, typer.Option("--system", help="System prompt.")] = None,
    cot: Annotated[
        CotMode | None, typer.Option("--cot", help="Reasoning: think | field | omit.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model name.")] = None,
    provider: Annotated[Provider | None, typer.Option("--provider", help="Preset.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url")] = None,
    api_key_env: Annotated[
        str | None, typer.Option("--api-key-env", help="Variable holding the API key.")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Model calls in flight.")
    ] = None,
    personas: Annotated[
        bool, typer.Option("--personas", help="Write questions for genre–audience personas.")
    ] = False,
    no_tags: Annotated[bool, typer.Option("--no-tags", help="Skip the domain tag tree.")] = False,
    max_chunks: MaxChunksOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest, split, tag, generate questions and answers, and export, with progress bars.

    Running it again resumes: finished work is kept and only what is missing is done.
    """
    request = PipelineRequest(
        paths=paths,
        output=output,
        project=project,
        export=ExportOptions(
            format=format_,
            file_type=file_type or file_type_for(output),
            system_prompt=system,
            cot=cot,
        ),
        model=_model(model, provider, base_url, api_key_env, concurrency),
        concurrency=concurrency,
        tags=not no_tags,
        personas=personas,
        max_chunks=max_chunks,
    )
    app = state(ctx).app()
    summary = run_stages(
        lambda on_stage, on_progress: run_pipeline(
            app, request, on_stage=on_stage, on_progress=on_progress
        ),
        quiet=as_json,
    )
    if as_json:
        print_json(summary)
    else:
        print_summary(summary)
    failed = summary.file_errors or any(stage.failed for stage in summary.stages)
    if failed:
        raise typer.Exit(1)

"""The one-shot pipeline: files in, dataset out, every stage a durable job, re-runs resume."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from easy_dataset.errors import JobPausedError, NotFoundError
from easy_dataset.export.options import ExportOptions
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, jobs, models, projects
from easy_dataset.services.app import App
from easy_dataset.services.export import ExportFilters, ExportSummary, export_dataset
from easy_dataset.services.jobs import FailureView
from easy_dataset.services.stages import run_stage
from easy_dataset.services.usage import usage_totals
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk, SourceFile

# The configuration the pipeline writes when it is given a model on the command line.
PIPELINE_MODEL = "pipeline"


class PipelineRequest(BaseModel):
    paths: list[Path]
    output: Path
    project: str | None = None  # default: the output file's stem
    export: ExportOptions = ExportOptions()
    filters: ExportFilters = ExportFilters()
    model: ModelConfig | None = None  # None: the project's default (else the embedded model)
    concurrency: int | None = None
    tags: bool = True
    personas: bool = False
    cache: bool = True  # stored replies make an interrupted run cheap to finish
    # Without a model's own reasoning, ask for one in a second call per answer.
    synthesize_cot: bool = True
    # Questions (and so answers) for the first N chunks only: a trial before a long run.
    max_chunks: int | None = Field(default=None, ge=1)


class StageReport(BaseModel):
    stage: str
    job_id: int
    total: int
    succeeded: int
    failed: int
    seconds: float
    failures: list[FailureView]


class PipelineSummary(BaseModel):
    project: str
    files_added: int
    files_known: int
    file_errors: list[str]
    files: int
    chunks: int
    questions: int
    qa_pairs: int
    stages: list[StageReport]
    export: ExportSummary
    calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float


def _use_model(app: App, project_id: int, config: ModelConfig) -> None:
    """Make `config` the project's default, replacing an older pipeline configuration."""
    config = config.model_copy(update={"name": PIPELINE_MODEL})
    current = {view.name: view for view in models.list_models(app, project_id)}
    existing = current.get(PIPELINE_MODEL)
    if existing is not None and existing.config == config:
        if not existing.is_default:
            models.set_default(app, project_id, PIPELINE_MODEL)
        return
    if existing is not None:
        models.remove_model(app, project_id, PIPELINE_MODEL)
    models.add_model(app, project_id, config, make_default=True)


def _first_chunks(app: App, project_id: int, request: PipelineRequest) -> list[int]:
    """The ids of the project's first `request.max_chunks` chunks, in file and text order."""
    with app.db.session() as session:
        query = (
            select(Chunk.id)
            .where(Chunk.project_id == project_id)
            .order_by(Chunk.file_id, Chunk.ordinal)
            .limit(request.max_chunks)
        )
        return list(session.scalars(query))


def _count(app: App, project_id: int) -> tuple[int, int, int, int]:
    with app.db.session() as session:

        def rows(table: type[SourceFile | Chunk | Question | QAPair]) -> int:
            query = select(func.count()).select_from(table).where(table.project_id == project_id)
            return session.scalar(query) or 0

        return rows(SourceFile), rows(Chunk), rows(Question), rows(QAPair)


def run_pipeline(
    app: App,
    request: PipelineRequest,
    *,
    on_stage: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> PipelineSummary:
    """Add the files, build tags, (personas,) questions and answers, then export."""
    started, since = time.perf_counter(), utcnow()
    name = request.project or request.output.stem
    try:
        project = projects.get_project(app, name)
    except NotFoundError:
        project = projects.create_project(app, name, description="Made by the generate pipeline.")
    if request.model is not None:
        _use_model(app, project.id, request.model)

    if on_stage:
        on_stage("files")
    added = files.add_files(app, project.id, request.paths)
    stages = ["questions.generate", "answers.generate"]
    if request.personas:
        stages.insert(0, "personas.generate")
    if request.tags:
        stages.insert(0, "tags.build")
    reports: list[StageReport] = []
    first_chunks = None if request.max_chunks is None else _first_chunks(app, project.id, request)
    for stage in stages:
        if on_stage:
            on_stage(stage)
        extra: dict[str, object] = {}
        if stage == "answers.generate":
            extra["synthesize_cot"] = request.synthesize_cot
        if stage == "questions.generate" and first_chunks is not None:
            extra["chunk_ids"] = first_chunks
        summary = run_stage(
            app,
            project.id,
            stage,
            on_progress=on_progress,
            concurrency=request.concurrency,
            cache=request.cache,
            **extra,
        )
        if summary.status == "paused":
            # Every later stage needs the same endpoint: stop here, all done work is kept.
            raise JobPausedError(summary.job_id, stage, summary.error or "endpoint unreachable")
        failures = (
            jobs.show_job(app, summary.job_id, summary=False).failures if summary.failed else []
        )
        reports.append(
            StageReport(
                stage=stage,
                job_id=summary.job_id,
                total=summary.total,
                succeeded=summary.succeeded,
                failed=summary.failed,
                seconds=round(summary.elapsed, 2),
                failures=failures,
            )
        )
    if on_stage:
        on_stage("export")
    exported = export_dataset(
        app, project.id, request.output, request.export, request.filters, overwrite=True
    )
    usage = usage_totals(app, project_ref=project.id, group_by="project", since=since)
    n_files, n_chunks, n_questions, n_pairs = _count(app, project.id)
    return PipelineSummary(
        project=project.name,
        files_added=sum(outcome.status == "added" for outcome in added),
        files_known=sum(outcome.status == "duplicate" for outcome in added),
        file_errors=[
            outcome.error or outcome.path for outcome in added if outcome.status == "failed"
        ],
        files=n_files,
        chunks=n_chunks,
        questions=n_questions,
        qa_pairs=n_pairs,
        stages=reports,
        export=exported,
        calls=sum(row.calls for row in usage),
        prompt_tokens=sum(row.prompt_tokens for row in usage),
        completion_tokens=sum(row.completion_tokens for row in usage),
        seconds=round(time.perf_counter() - started, 2),
    )

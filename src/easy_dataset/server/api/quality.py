"""Data-quality checks: start one as a job, read the report and the clusters, manage the
benchmark files and the review sample, and change the targets the report holds data to."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from easy_dataset.errors import InputError
from easy_dataset.server.api.common import (
    IdPath,
    Limit,
    Offset,
    Page,
    ProjectRef,
)
from easy_dataset.server.api.files import UPLOAD_FOLDER
from easy_dataset.server.api.uploads import Received, UploadReceiver
from easy_dataset.server.deps import Core
from easy_dataset.services import App, projects, quality
from easy_dataset.services.quality.benchmark_files import MAX_BYTES as MAX_BENCHMARK_BYTES
from easy_dataset.services.quality_results import ResultView
from easy_dataset.types import QualitySettings

router = APIRouter(prefix="/projects/{project}/quality", tags=["quality"])

Target = Literal["qa", "questions"]
BenchmarkRef = Annotated[
    str, Path(min_length=1, max_length=100, description="A benchmark's id (its stored name).")
]


class TargetsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consistency: float | None = Field(default=None, allow_inf_nan=False)
    domain_terms: float | None = Field(default=None, allow_inf_nan=False)
    opening_entropy: float | None = Field(default=None, allow_inf_nan=False)
    error_rate: float | None = Field(default=None, allow_inf_nan=False)
    duplicate_rate: float | None = Field(default=None, allow_inf_nan=False)


class SettingsPatch(BaseModel):
    """The settings to change; the others keep their values. `targets` and `judge_weights`
    may name only some of their entries. The ranges are checked with the whole settings."""

    model_config = ConfigDict(extra="forbid")

    judge_weights: dict[str, Annotated[float, Field(allow_inf_nan=False)]] | None = None
    judge_model: str | None = Field(default=None, max_length=200)
    grounding_threshold: float | None = Field(default=None, allow_inf_nan=False)
    dedup_mode: str | None = None
    dedup_threshold: float | None = Field(default=None, allow_inf_nan=False)
    sample_fraction: float | None = Field(default=None, allow_inf_nan=False)
    pii_action: str | None = None
    contamination_ngram: int | None = None
    votes: int | None = None
    vote_threshold: float | None = Field(default=None, allow_inf_nan=False)
    targets: TargetsPatch | None = None


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["ok", "error"] | None = Field(description="null undoes a verdict.")
    note: str = Field(default="", max_length=10_000)


class SampleItem(BaseModel):
    qa_id: int
    question: str
    verdict: Literal["ok", "error"] | None
    note: str


class SampleView(quality.SampleStatus):
    """The sample's status and one page of its pairs with their verdicts (all of them:
    `GET /qa?sampled=true`)."""

    items: list[SampleItem]


class ItemResults(BaseModel):
    qa_id: int
    results: list[ResultView]


class Deleted(BaseModel):
    deleted: int


_BENCHMARK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "JSON Lines, JSON, CSV or plain text files.",
                        }
                    },
                }
            }
        },
    }
}


@router.get("/report")
def report(project: ProjectRef, core: Core) -> quality.Report:
    """Every figure of the dataset report beside its target."""
    return quality.build_report(core, project)


@router.get("/judge-agreement")
def judge_agreement(
    project: ProjectRef,
    core: Core,
    reviewer_pass: Annotated[
        float,
        Query(ge=0, le=5, description="A reviewer's rating that counts as a pass (0–5)."),
    ] = quality.REVIEWER_PASS,
) -> quality.JudgeAgreement:
    """How well the judge agrees with reviewers: Spearman of ratings against judge scores,
    Cohen's kappa on pass / fail with the 2×2 counts."""
    return quality.judge_agreement(core, project, reviewer_pass=reviewer_pass)


@router.get("/settings")
def show_settings(project: ProjectRef, core: Core) -> QualitySettings:
    return quality.get_quality_settings(core, project)


@router.patch("/settings")
def change_settings(project: ProjectRef, body: SettingsPatch, core: Core) -> QualitySettings:
    """Change some settings; bad values are refused with the reason, nothing changed."""
    changes = body.model_dump(exclude_unset=True)
    if body.targets is not None:
        changes["targets"] = body.targets.model_dump(exclude_unset=True)
    return quality.update_quality_settings(core, project, **changes)


@router.get("/clusters")
def list_clusters(
    project: ProjectRef,
    core: Core,
    target: Annotated[Target, Query()] = "qa",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[quality.ClusterView]:
    """The duplicate clusters the last deduplication found, largest first."""
    items, total = quality.list_clusters(core, project, target, limit=limit, offset=offset)
    return Page[quality.ClusterView](items=items, total=total)


@router.delete("/duplicates")
def delete_duplicates(
    project: ProjectRef,
    core: Core,
    target: Annotated[Target, Query()] = "qa",
    confirm: Annotated[bool, Query(description="Required: deleting cannot be undone.")] = False,
) -> Deleted:
    """Delete every member the last deduplication marked (never the kept ones)."""
    projects.get_project(core, project)  # an unknown project: 404 first
    if not confirm:
        raise InputError(
            "deleting the marked duplicates cannot be undone; repeat with confirm=true"
        )
    return Deleted(deleted=quality.delete_duplicates(core, project, target))


@router.get("/benchmarks")
def list_benchmarks(project: ProjectRef, core: Core) -> list[quality.BenchmarkView]:
    return quality.list_benchmarks(core, project)


@router.post("/benchmarks", status_code=201, openapi_extra=_BENCHMARK_BODY)
async def add_benchmarks(
    project: ProjectRef, request: Request, core: Core
) -> list[quality.BenchmarkView]:
    """Add benchmark files (multipart field `files`), all or none."""
    await run_in_threadpool(projects.get_project, core, project)
    limit = min(core.settings.max_file_bytes, MAX_BENCHMARK_BYTES)
    receiver = UploadReceiver(
        core.settings.home / UPLOAD_FOLDER,
        limit,
        (),
        max_total_bytes=core.settings.max_upload_bytes,
    )
    form = await receiver.receive(request)
    try:
        return await run_in_threadpool(_add_all, core, project, form.files)
    finally:
        receiver.discard()


def _add_all(core: App, project: str, files: list[Received]) -> list[quality.BenchmarkView]:
    uploads = [(received.name, received.path.read_bytes()) for received in files]
    return quality.add_benchmarks(core, project, uploads)


@router.delete("/benchmarks/{benchmark_id}")
def delete_benchmark(
    project: ProjectRef, benchmark_id: BenchmarkRef, core: Core
) -> quality.BenchmarkView:
    return quality.delete_benchmark(core, project, benchmark_id)  # not there: 404


@router.get("/sample")
def show_sample(
    project: ProjectRef, core: Core, limit: Limit = 50, offset: Offset = 0
) -> SampleView:
    """Where the review of the sample stands, with one page of its pairs (in id order)."""
    status = quality.sample_status(core, project)
    items = quality.sample_items(core, project, limit=limit, offset=offset)
    return SampleView(**status.model_dump(), items=[SampleItem(**vars(item)) for item in items])


@router.put("/sample/{qa_id}")
def review_sample_item(
    project: ProjectRef, qa_id: IdPath, body: Verdict, core: Core
) -> quality.SampleStatus:
    """A reviewer's verdict on one sampled pair; the sample's status after it."""
    quality.review_sample_item(core, project, qa_id, body.verdict, body.note)
    return quality.sample_status(core, project)


@router.get("/results/{qa_id}")
def item_results(project: ProjectRef, qa_id: IdPath, core: Core) -> ItemResults:
    """Every check's result for one QA pair (a pair no check found anything in has few)."""
    return ItemResults(qa_id=qa_id, results=quality.item_results(core, project, qa_id))

"""Generation stages as jobs: start one, get its job back at once, poll /api/jobs/{id}."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.server.api.common import IdField, ProjectRef
from easy_dataset.server.deps import Core, submit_job
from easy_dataset.services import generation, jobs
from easy_dataset.services.jobs import JobView

router = APIRouter(prefix="/projects/{project}/stages", tags=["generation"])

Stage = Literal[
    "tags.build", "personas.generate", "questions.generate", "answers.generate", "templates.apply"
]


class StageRequest(BaseModel):
    """Options of a stage; each applies only to the stages named in its description."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, description="Configuration name (default: default).")
    cache: bool = Field(default=False, description="Reuse stored replies to identical requests.")
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    file_ids: list[IdField] | None = Field(default=None, description="Only these files.")
    rebuild: bool = Field(default=False, description="tags.build: replace even a hand-made tree.")
    count: int | None = Field(default=None, ge=1, le=20, description="personas: per file.")
    chunk_ids: list[IdField] | None = Field(default=None, description="questions: only these.")
    tag_ids: list[IdField] | None = Field(
        default=None,
        description="questions: chunks whose questions carry one of these tags; answers: "
        "questions with one of these tags (each with the tags under it).",
    )
    question_ids: list[IdField] | None = Field(default=None, description="answers: only these.")
    synthesize_cot: bool | None = Field(
        default=None, description="answers: write reasoning when the model gives none."
    )
    votes: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="answers: answer each question this many times and keep the answer most "
        "agree with (consistency voting; 1: off).",
    )
    template_ids: list[IdField] | None = Field(default=None, description="templates: only these.")


def _options(body: StageRequest) -> dict[str, object]:
    options = body.model_dump(exclude_none=True)
    for flag in ("cache", "rebuild"):
        if not options[flag]:
            del options[flag]
    return options


@router.post("/{stage}/estimate")
def estimate_stage(
    project: ProjectRef, stage: Stage, body: StageRequest, core: Core
) -> generation.Estimate:
    """What starting the stage with these options would do, without starting it: items
    (exact), model calls, prompt and completion tokens and time (estimates; time is null
    when the usage log has no recent call of the model)."""
    return generation.estimate(core, project, stage, **_options(body))


@router.post("/{stage}", status_code=202)
def start_stage(
    project: ProjectRef, stage: Stage, body: StageRequest, request: Request, core: Core
) -> JobView:
    """Plan the stage's work that is not done yet as a job and start it in the background."""
    job_id = generation.start_job(core, project, stage, **_options(body))
    submit_job(request, job_id)
    return jobs.show_job(core, job_id, failures=0).job

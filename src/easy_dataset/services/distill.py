"""Distillation from a topic in one call: the topic's tag tree, questions about its leaves,
then answers (single-turn) or dialogues (multi-turn) — each step its own stage, run to the
end one after the other. The steps can be run one at a time instead, editing the tree in
between; running this again resumes, doing only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from easy_dataset.errors import JobPausedError
from easy_dataset.jobs.runner import ProgressCallback
from easy_dataset.jobs.stage import check_params, get_stage
from easy_dataset.services import jobs
from easy_dataset.services.app import App
from easy_dataset.services.generation.distill_scope import DISTILLED, topic_leaves
from easy_dataset.services.generation.distill_tags import topic_root
from easy_dataset.services.pipeline import StageReport
from easy_dataset.services.projects import find_project
from easy_dataset.services.stages import run_stage
from easy_dataset.store.dataset import QAPair, Question


class DistillRequest(BaseModel):
    """What to distil; each option is checked by the stage that takes it."""

    topic: str
    description: str = ""
    depth: int = 2
    breadth: int = 3
    questions: int = Field(default=5, description="Questions per leaf tag.")
    multi_turn: bool = False
    model: str | None = None
    concurrency: int | None = None
    cache: bool = False


class DistillSummary(BaseModel):
    topic: str
    root_id: int | None  # the topic's tag; None when its tree could not be grown
    leaves: int
    questions: int  # distilled questions under the topic
    samples: int  # answers or dialogues made from them
    stages: list[StageReport]


def distill_topic(
    app: App,
    project_ref: str | int,
    request: DistillRequest,
    *,
    on_stage: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> DistillSummary:
    """Grow the topic's tree (unless it has one), ask about its leaves, then answer the
    questions or make them into dialogues; JobPausedError when the endpoint stops
    answering (all finished work is kept)."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
    common = {"model": request.model, "concurrency": request.concurrency, "cache": request.cache}
    grow = {
        "topic": request.topic,
        "description": request.description,
        "depth": request.depth,
        "breadth": request.breadth,
    }
    samples = "distill.dialogues" if request.multi_turn else "answers.generate"
    # Every step's options are checked before the first one starts.
    check_params(get_stage("distill.tags"), {**grow, **common})
    check_params(get_stage("distill.questions"), {"per_leaf": request.questions, **common})
    check_params(get_stage(samples), common)
    reports: list[StageReport] = []

    def step(stage: str, **options: object) -> None:
        if on_stage:
            on_stage(stage)
        summary = run_stage(app, project_id, stage, on_progress=on_progress, **common, **options)
        if summary.status == "paused":
            raise JobPausedError(summary.job_id, stage, summary.error or "endpoint unreachable")
        failures = jobs.show_job(app, summary.job_id).failures if summary.failed else []
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

    step("distill.tags", **grow)
    with app.db.session() as session:
        root = topic_root(session, project_id, request.topic)
        root_id = root.id if root is not None else None
    if root_id is not None:
        step("distill.questions", tag_ids=[root_id], per_leaf=request.questions)
        step(samples, tag_ids=[root_id])
    return _summary(app, project_id, request.topic, root_id, reports)


def _summary(
    app: App, project_id: int, topic: str, root_id: int | None, reports: list[StageReport]
) -> DistillSummary:
    leaves = questions = samples = 0
    if root_id is not None:
        with app.db.session() as session:
            found = topic_leaves(session, project_id, {"tag_ids": [root_id]})
            tags = [leaf.tag_id for leaf in found]
            asked = select(Question.id).where(
                Question.project_id == project_id,
                Question.origin == DISTILLED,
                Question.tag_id.in_(tags),
            )
            leaves = len(found)
            questions = session.scalar(select(func.count()).select_from(asked.subquery())) or 0
            samples = (
                session.scalar(
                    select(func.count()).select_from(QAPair).where(QAPair.question_id.in_(asked))
                )
                or 0
            )
    return DistillSummary(
        topic=" ".join(topic.split()),
        root_id=root_id,
        leaves=leaves,
        questions=questions,
        samples=samples,
        stages=reports,
    )

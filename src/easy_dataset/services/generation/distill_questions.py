"""`distill.questions`: the second step of distillation from a topic — questions about each
leaf of the topic's tree as the user left it, each a Question with no chunk, tagged with its
leaf, origin "distilled", its provenance the topic and the leaf's path of tag names.

The tree is read when the job is planned (the leaves there are then) and each leaf's path
when its questions are written, so a tree edited between the steps is the tree asked about.
`answers.generate` answers the questions (from the model's own knowledge) and
`distill.dialogues` turns them into dialogues.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import distill_questions
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.generation.distill_scope import (
    DISTILLED,
    path_of,
    root_of,
    tag_rows,
    topic_leaves,
)
from easy_dataset.services.hygiene import record_question
from easy_dataset.services.job_support.common import (
    ModelJob,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ModelParams, TagIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import Question
from easy_dataset.store.models import Job, JobItem

TYPE = "distill.questions"
MAX_PER_LEAF = 50


class DistillQuestionsParams(ModelParams):
    tag_ids: Annotated[
        TagIds,
        Field(
            description="The topics (or parts of them) whose leaves get questions (default: "
            "every distilled topic)."
        ),
    ] = None
    per_leaf: Annotated[
        int,
        Field(ge=1, le=MAX_PER_LEAF, description="Questions per leaf tag."),
        Flag("--per-leaf", "-n"),
    ] = 5


@register_stage
class DistillQuestions(ModelJob, Stage[DistillQuestionsParams]):
    """Items `t<leaf tag>` for the leaves in scope that have no distilled question yet."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 61
    label = Words("Distil: questions", "蒸馏：生成问题")
    help = Words(
        "Write questions about every leaf of a distilled topic's tree (as you edited it) that "
        "has none yet, with no documents.",
        "为蒸馏主题标签树（按你编辑后的样子）中每个尚无问题的叶节点生成问题，无需文档。",
    )
    Params = DistillQuestionsParams
    command = ("questions", "distill")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        with app.db.session() as session:
            leaves = topic_leaves(session, project_id, params)
            asked = set(
                session.scalars(
                    select(Question.tag_id).where(
                        Question.project_id == project_id,
                        Question.origin == DISTILLED,
                        Question.tag_id.is_not(None),
                    )
                )
            )
            busy = unfinished_keys(session, project_id, TYPE)
        keys = [f"t{leaf.tag_id}" for leaf in leaves if leaf.tag_id not in asked]
        return [key for key in keys if key not in busy]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        leaf_id = parse_key(key)["t"]
        with ctx.app.db.session() as session:
            rows = tag_rows(session, self.project_id(ctx))
            if leaf_id not in rows:
                raise NotFoundError(f"tag {leaf_id} was deleted before its questions were written")
            path = path_of(rows, leaf_id)
            root = rows[root_of(rows, leaf_id)]
        language = language_for(self.settings(ctx), f"{' '.join(path)}\n{root.description}")
        result = await distill_questions(
            self.client(ctx),
            topic=path[0],
            tag_path=path,
            count=options.per_leaf,
            language=language,
            description=root.description,
            override=self.override(ctx, "distill_questions", language),
        )
        return {
            "tag_id": leaf_id,
            "questions": [draft.text for draft in result.questions],
            "dropped": result.dropped,
            "provenance": {
                **result.provenance.as_dict(),
                "source": DISTILLED,
                "topic": path[0],
                "tag_path": path,
                "job": ctx.job_id,
                "created": utcnow().isoformat(),
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        rows = tag_rows(session, job.project_id)
        # Deleted while the model wrote: the questions keep their topic, with no tag.
        tag_id = result["tag_id"] if result["tag_id"] in rows else None
        added = [
            Question(
                project_id=job.project_id,
                chunk_id=None,
                tag_id=tag_id,
                text=text,
                origin=DISTILLED,
                provenance=result["provenance"],
            )
            for text in result["questions"]
        ]
        session.add_all(added)
        session.flush()
        for stored in added:
            record_question(session, job.project_id, stored, job.id)


# Typical reply size (tokens) of one question in a JSON list.
QUESTION_TOKENS = 30
LIST_OVERHEAD = 10


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per leaf: the topic, its description and the leaf's path in, `per_leaf`
    questions out."""
    options = DistillQuestionsParams.model_validate(given.params)
    with given.app.db.session() as session:
        rows = tag_rows(session, given.project_id)
    prompt = 0
    for key in keys:
        leaf = parse_key(key)["t"]
        if leaf not in rows:
            continue
        path = path_of(rows, leaf)
        description = rows[root_of(rows, leaf)].description
        language = given.language(f"{' '.join(path)}\n{description}")
        values = {"topic": "", "tag_path": "", "count": options.per_leaf}
        prompt += given.overhead("distill_questions", language, values)
        prompt += estimate_tokens(" > ".join(path)) + estimate_tokens(path[0] + description)
    completion = len(keys) * (LIST_OVERHEAD + QUESTION_TOKENS * options.per_leaf)
    return Figures(len(keys), prompt, completion)

"""`distill.tags`: the first step of distillation from a topic with no documents — the model
grows a tag tree for the topic, stored in the project's tag tree under a top-level tag named
for the topic, where the user edits it (Tags screen, `tags` commands, REST) before the
questions are asked.

One item per topic: the tree grows level by level, each level's calls depending on the one
before, so its calls cannot be planned as items up front. The tree is committed whole, in
one transaction; a failed or interrupted item grows it again (`cache` reuses the replies
already paid for).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError
from easy_dataset.generate import TagDraft, grow_topic_tree
from easy_dataset.generate.distill import MAX_BREADTH, MAX_DEPTH
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.generation.distill_scope import TAGS_TYPE
from easy_dataset.services.job_support.common import ModelJob, language_for, unfinished_keys
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ModelParams
from easy_dataset.store.dataset import Tag
from easy_dataset.store.models import Job, JobItem

TYPE = TAGS_TYPE
# The limits of a stored tag (services/tags.py).
TOPIC_CHARS = 200
DESCRIPTION_CHARS = 2000


class DistillTagsParams(ModelParams):
    topic: Annotated[
        str,
        Field(
            min_length=1,
            max_length=TOPIC_CHARS,
            description="The topic to distil data from; its tree goes under a top-level tag "
            "of this name.",
        ),
    ]
    description: str = Field(
        default="",
        max_length=DESCRIPTION_CHARS,
        description="What the topic covers, in your words (kept as the root tag's description).",
    )
    depth: int = Field(
        default=2, ge=1, le=MAX_DEPTH, description="Levels of sub-topics under the topic."
    )
    breadth: int = Field(default=3, ge=1, le=MAX_BREADTH, description="Sub-topics under each tag.")

    @field_validator("topic")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the topic needs a name")
        return value


def topic_name(topic: str) -> str:
    return " ".join(topic.split())


def topic_key(topic: str) -> str:
    """The item of a topic: one per topic name (case and spacing aside)."""
    return f"t{zlib.crc32(topic_name(topic).casefold().encode())}"


def topic_root(session: Session, project_id: int, topic: str) -> Tag | None:
    """The top-level tag named for the topic (case aside), if there is one."""
    name = topic_name(topic).casefold()
    for tag in session.scalars(
        select(Tag)
        .where(Tag.project_id == project_id, Tag.parent_id.is_(None))
        .order_by(Tag.ordinal, Tag.id)
    ):
        if " ".join(tag.name.split()).casefold() == name:
            return tag
    return None


def has_children(session: Session, tag_id: int) -> bool:
    return session.scalar(select(Tag.id).where(Tag.parent_id == tag_id).limit(1)) is not None


@register_stage
class DistillTags(ModelJob, Stage[DistillTagsParams]):
    """One item per topic (`t<crc of its name>`): nothing to do when a top-level tag of that
    name already has sub-topics (delete it to grow the tree again); a childless one is
    grown in place."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 60
    label = Words("Distil: topic tree", "蒸馏：主题标签树")
    help = Words(
        "Grow a tag tree for a topic with no documents (depth and breadth are yours), to "
        "edit in Tags before asking questions of its leaves.",
        "在没有文档的情况下为一个主题生成标签树（深度和广度由你决定），可在标签页中编辑后再为叶节点生成问题。",
    )
    Params = DistillTagsParams
    command = ("tags", "distill")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        key = topic_key(options.topic)
        with app.db.session() as session:
            root = topic_root(session, project_id, options.topic)
            if root is not None and has_children(session, root.id):
                return []
            if key in unfinished_keys(session, project_id, TYPE):
                return []
        return [key]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        topic = topic_name(options.topic)
        language = language_for(self.settings(ctx), f"{topic}\n{options.description}")
        tree = await grow_topic_tree(
            self.client(ctx),
            topic=topic,
            description=options.description.strip(),
            depth=options.depth,
            breadth=options.breadth,
            language=language,
            override=self.override(ctx, "distill_tags", language),
        )
        return {
            "topic": topic,
            "description": options.description.strip(),
            "depth": options.depth,
            "breadth": options.breadth,
            "tree": [node.to_dict() for node in tree.children],
            "leaves": tree.leaves(),
            "calls": tree.calls,
            "duplicates": tree.duplicates,
            "short": tree.short,
            "provenance": {**tree.provenance.as_dict(), "job": ctx.job_id},
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        root = topic_root(session, job.project_id, result["topic"])
        if root is None:
            root = Tag(
                project_id=job.project_id,
                parent_id=None,
                name=result["topic"],
                description=result["description"],
                ordinal=_next_top_ordinal(session, job.project_id),
                # No later than the item's finish: see distill_scope.distilled_roots.
                created_at=item.updated_at,
            )
            session.add(root)
            session.flush()
        elif has_children(session, root.id):
            raise ConflictError(
                f"the topic {result['topic']!r} got sub-topics while its tree was grown; "
                "delete them (or the topic's tag) to grow it again"
            )
        elif result["description"] and not root.description:
            root.description = result["description"]
        _insert(session, job.project_id, root.id, [TagDraft.from_dict(n) for n in result["tree"]])
        # The item's result names the root it grew: that is what makes it a distilled topic.
        session.execute(
            update(JobItem)
            .where(JobItem.id == item.id)
            .values(result={**result, "root_id": root.id}),
            execution_options={"synchronize_session": False},
        )


def _next_top_ordinal(session: Session, project_id: int) -> int:
    ordinals = session.scalars(
        select(Tag.ordinal).where(Tag.project_id == project_id, Tag.parent_id.is_(None))
    ).all()
    return max(ordinals, default=-1) + 1


def _insert(session: Session, project_id: int, parent_id: int, nodes: Sequence[TagDraft]) -> None:
    for ordinal, node in enumerate(nodes):
        tag = Tag(project_id=project_id, parent_id=parent_id, name=node.name, ordinal=ordinal)
        session.add(tag)
        session.flush()
        _insert(session, project_id, tag.id, node.children)


# Typical reply size (tokens) of one sub-topic name in a JSON list.
NAME_TOKENS = 8
LIST_OVERHEAD = 10


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per tag that gets sub-topics: 1 + b + b² + … + b^(depth-1) (a node left
    short after de-duplication is asked once more, not counted); `breadth` names out each."""
    if not keys:
        return Figures(0, 0, 0)
    options = DistillTagsParams.model_validate(given.params)
    calls = sum(options.breadth**level for level in range(options.depth))
    language = given.language(f"{options.topic}\n{options.description}")
    values = {"topic": "", "tag_path": "", "count": options.breadth}
    per_call = given.overhead("distill_tags", language, values)
    # The topic, its description and a path about as long as the tree is deep.
    per_call += estimate_tokens(options.topic) * (1 + options.depth)
    per_call += estimate_tokens(options.description)
    completion = calls * (LIST_OVERHEAD + NAME_TOKENS * options.breadth)
    return Figures(calls, calls * per_call, completion)

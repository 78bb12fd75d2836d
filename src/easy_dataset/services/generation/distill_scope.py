"""What the distillation stages share: which tags are distilled topics, the leaves of a
topic's tree as it is now (after the user's edits), and a tag's path of names.

A topic's tree lives in the project's tag tree, under a top-level tag named for the topic.
That root is known as a distilled topic by the `distill.tags` job that grew it: the job
item's result names the root tag (`root_id`), as a tags.build result names its files. The
root must have existed when that item finished, so a tag that later got the id of a
deleted root (SQLite reuses the largest id) is not taken for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.services.job_support.common import tag_scope
from easy_dataset.store.dataset import Question, Tag
from easy_dataset.store.models import Job, JobItem

TAGS_TYPE = "distill.tags"
# Question.origin and provenance["source"] of what distillation makes.
DISTILLED = "distilled"


@dataclass(frozen=True)
class TagRow:
    name: str
    parent_id: int | None
    description: str


@dataclass(frozen=True)
class Leaf:
    """A leaf of a topic's tree: its tag, its path of names from the root, and the root."""

    tag_id: int
    path: list[str]
    root_id: int


def tag_rows(session: Session, project_id: int) -> dict[int, TagRow]:
    rows = session.execute(
        select(Tag.id, Tag.name, Tag.parent_id, Tag.description)
        .where(Tag.project_id == project_id)
        .order_by(Tag.ordinal, Tag.id)
    )
    return {tag_id: TagRow(name, parent, description) for tag_id, name, parent, description in rows}


def root_of(rows: dict[int, TagRow], tag_id: int) -> int:
    node = tag_id
    while (parent := rows[node].parent_id) is not None and parent in rows:
        node = parent
    return node


def path_of(rows: dict[int, TagRow], tag_id: int) -> list[str]:
    """The names from the top of the tree down to the tag."""
    names = [rows[tag_id].name]
    node = tag_id
    while (parent := rows[node].parent_id) is not None and parent in rows:
        names.append(rows[parent].name)
        node = parent
    return list(reversed(names))


def tag_path(session: Session, project_id: int, tag_id: int | None) -> list[str]:
    """A tag's path of names as the tree is now; [] for no tag or one deleted."""
    if tag_id is None:
        return []
    rows = tag_rows(session, project_id)
    return path_of(rows, tag_id) if tag_id in rows else []


def distilled_roots(session: Session, project_id: int) -> list[int]:
    """The root tags of the topics `distill.tags` grew in this project that still exist."""
    done = session.execute(
        select(JobItem.result, JobItem.updated_at)
        .join(Job, Job.id == JobItem.job_id)
        .where(Job.project_id == project_id, Job.type == TAGS_TYPE, JobItem.status == "succeeded")
        .order_by(JobItem.id)
    ).all()
    roots: list[int] = []
    for result, finished in done:
        root_id = result.get("root_id") if isinstance(result, dict) else None
        if not isinstance(root_id, int) or root_id in roots:
            continue
        tag = session.get(Tag, root_id)
        if tag is not None and tag.project_id == project_id and tag.created_at <= finished:
            roots.append(root_id)
    return roots


def topic_scope(session: Session, project_id: int, params: dict[str, Any]) -> set[int]:
    """The tags `params["tag_ids"]` names, each with its subtree, else every distilled
    topic's tree."""
    chosen = tag_scope(session, project_id, params)
    if chosen is None:
        roots = distilled_roots(session, project_id)
        chosen = tag_scope(session, project_id, {"tag_ids": roots})
    return chosen or set()


def topic_leaves(session: Session, project_id: int, params: dict[str, Any]) -> list[Leaf]:
    """The leaves of the trees in scope (`topic_scope`), in tree order. A tag with no
    children is a leaf, so a topic whose sub-topics were all deleted is its own one leaf."""
    rows = tag_rows(session, project_id)
    chosen = topic_scope(session, project_id, params)
    parents = {row.parent_id for row in rows.values() if row.parent_id is not None}
    return [
        Leaf(tag_id, path_of(rows, tag_id), root_of(rows, tag_id))
        for tag_id in rows
        if tag_id in chosen and tag_id not in parents
    ]


def distilled_questions(
    session: Session, project_id: int, params: dict[str, Any]
) -> list[tuple[int, int]]:
    """(question id, tag id) of the distilled questions tagged within the trees in scope
    (`topic_scope`), narrowed to `question_ids` when given."""
    tags = topic_scope(session, project_id, params)
    if not tags:
        return []
    query = (
        select(Question.id, Question.tag_id)
        .where(
            Question.project_id == project_id,
            Question.origin == DISTILLED,
            Question.tag_id.in_(sorted(tags)),
        )
        .order_by(Question.id)
    )
    only = params.get("question_ids")
    if only is not None:
        query = query.where(Question.id.in_(sorted(int(value) for value in only)))
    return [(question_id, tag_id) for question_id, tag_id in session.execute(query) if tag_id]

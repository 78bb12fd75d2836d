"""`tags.build`: the model builds the domain tag tree, or revises the one it built.

The tree a model built is revised (not rebuilt) when files come or go, so tags keep their
ids and the questions labelled with them. A tree made by hand or imported is left alone
unless `rebuild` is asked for, and a locked or disabled tree is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError
from easy_dataset.generate import TagDraft, build_tag_tree, outline_text, revise_tag_tree
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import ModelJob, language_for, unfinished_keys
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.stage_options import FileIds, ModelParams
from easy_dataset.store.dataset import Question, Tag
from easy_dataset.store.models import Job, JobItem, Project, SourceFile

TYPE = "tags.build"


def last_build(session: Session, project_id: int) -> dict[str, Any] | None:
    """The result of the latest successful build: which files (id -> name) it saw."""
    result = session.scalar(
        select(JobItem.result)
        .join(Job, Job.id == JobItem.job_id)
        .where(Job.project_id == project_id, Job.type == TYPE, JobItem.status == "succeeded")
        .order_by(JobItem.id.desc())
        .limit(1)
    )
    return result if isinstance(result, dict) else None


def file_rows(session: Session, project_id: int) -> list[SourceFile]:
    return list(
        session.scalars(
            select(SourceFile).where(SourceFile.project_id == project_id).order_by(SourceFile.id)
        )
    )


def current_tree(session: Session, project_id: int) -> list[TagDraft]:
    rows = session.scalars(
        select(Tag).where(Tag.project_id == project_id).order_by(Tag.ordinal, Tag.id)
    ).all()
    children: dict[int | None, list[Tag]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def drafts(parent: int | None) -> tuple[TagDraft, ...]:
        return tuple(TagDraft(row.name, drafts(row.id)) for row in children.get(parent, []))

    return list(drafts(None))


class BuildTagsParams(ModelParams):
    file_ids: FileIds = None
    rebuild: bool = Field(
        default=False, description="Replace the tree even when it was made or edited by hand."
    )


@register_stage
class BuildTags(ModelJob, Stage[BuildTagsParams]):
    """One item per project (`p<id>`); params: rebuild (replace even a hand-made tree)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 10
    label = Words("Build the tag tree", "构建领域标签树")
    help = Words(
        "Build (or revise, after files changed) the project's domain tag tree from the files' "
        "outlines.",
        "根据文件目录构建（或在文件变化后修订）项目的领域标签树。",
    )
    Params = BuildTagsParams
    command = ("tags", "build")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        key = f"p{project_id}"
        with app.db.session() as session:
            settings = generation_settings(find_project(session, project_id))
            if not settings.tags_enabled or settings.tags_locked:
                return []
            files = {str(row.id): row.name for row in file_rows(session, project_id)}
            if not files or key in unfinished_keys(session, project_id, TYPE):
                return []
            if params.get("rebuild"):
                return [key]
            has_tree = session.scalar(select(Tag.id).where(Tag.project_id == project_id).limit(1))
            previous = last_build(session, project_id)
        if has_tree is None:
            return [key]
        if previous is None:
            return []  # made by hand or imported: the user's, not ours to revise
        # By id and name: SQLite may give a new file the id of a removed one.
        return [key] if previous.get("files") != files else []

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        project_id = self.project_id(ctx)
        settings = self.settings(ctx)
        with ctx.app.db.session() as session:
            rows = file_rows(session, project_id)
            outlines = {str(row.id): outline_text(row.name, row.outline) for row in rows}
            names = {str(row.id): row.name for row in rows}
            tree = current_tree(session, project_id)
            previous = last_build(session, project_id)
        language = language_for(settings, "\n".join(outlines.values()))
        levels = settings.tag_levels
        seen: dict[str, str] = dict(previous.get("files", {})) if previous else {}
        kept = {fid for fid, name in names.items() if seen.get(fid) == name}
        if not tree or ctx.params.get("rebuild"):
            override = self.override(ctx, "tag_tree", language)
            built = await build_tag_tree(
                self.client(ctx),
                list(outlines.values()),
                language=language,
                levels=levels,
                override=override,
            )
            mode = "build"
        else:
            built = await revise_tag_tree(
                self.client(ctx),
                tree,
                added=[text for fid, text in outlines.items() if fid not in kept],
                removed=[f"# {name}" for fid, name in seen.items() if fid not in kept],
                remaining=[text for fid, text in outlines.items() if fid in kept],
                language=language,
                levels=levels,
                override=self.override(ctx, "tag_revise", language),
            )
            mode = "revise"
        return {
            "mode": mode,
            "files": names,
            "tree": [node.to_dict() for node in built.tags],
            "provenance": {**built.provenance.as_dict(), "job": ctx.job_id},
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        project = session.get(Project, job.project_id)
        assert project is not None
        settings = generation_settings(project)
        if settings.tags_locked or not settings.tags_enabled:
            raise ConflictError("the tag tree was locked or switched off while the job ran")
        merge_tree(session, project.id, [TagDraft.from_dict(node) for node in result["tree"]])


def merge_tree(session: Session, project_id: int, tree: Sequence[TagDraft]) -> None:
    """Make the stored tree match `tree`, matching tags by their path of names, so a tag
    that stays keeps its id. A tag the new tree lacks is deleted unless questions (its
    own or its descendants') still point to it."""
    rows = list(session.scalars(select(Tag).where(Tag.project_id == project_id)))
    by_id = {row.id: row for row in rows}

    def path(row: Tag) -> tuple[str, ...]:
        names: list[str] = []
        node: Tag | None = row
        while node is not None:
            names.append(node.name.casefold())
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        return tuple(reversed(names))

    by_path = {path(row): row for row in rows}
    keep: set[int] = set()

    def place(nodes: Sequence[TagDraft], parent: Tag | None, prefix: tuple[str, ...]) -> None:
        for ordinal, node in enumerate(nodes):
            key = (*prefix, node.name.casefold())
            row = by_path.get(key)
            if row is None:
                row = Tag(
                    project_id=project_id,
                    parent_id=parent.id if parent else None,
                    name=node.name,
                    ordinal=ordinal,
                )
                session.add(row)
                session.flush()
                by_path[key] = row
            else:
                row.ordinal = ordinal
            keep.add(row.id)
            place(node.children, row, key)

    place(tree, None, ())
    used = set(
        session.scalars(
            select(Question.tag_id).where(
                Question.project_id == project_id, Question.tag_id.is_not(None)
            )
        )
    )
    # Ancestors of what stays must stay too: deleting a parent cascades to its children.
    for tag_id in list(keep | (used & set(by_id))):
        node_id: int | None = tag_id
        while node_id is not None and node_id in by_id:
            keep.add(node_id)
            node_id = by_id[node_id].parent_id
    gone = [row.id for row in rows if row.id not in keep]
    if gone:
        # One statement: the database cascades to children, which are in `gone` as well.
        session.execute(
            delete(Tag).where(Tag.id.in_(gone)), execution_options={"synchronize_session": False}
        )

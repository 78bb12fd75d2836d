"""The duplicate clusters the last deduplication found, and deleting the marked members
(only when asked)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality_results import clear, target_of
from easy_dataset.store.dataset import QAPair, QualityResult, Question

PREVIEW = 160


@dataclass(frozen=True)
class Member:
    id: int
    text: str  # the question, cut to PREVIEW characters
    keep: bool
    similarity: float | None


@dataclass(frozen=True)
class ClusterView:
    keep: int
    mode: str
    members: list[Member]


def list_clusters(
    app: App, project_ref: str | int, target: str = "qa", *, limit: int = 50, offset: int = 0
) -> tuple[list[ClusterView], int]:
    """One page of clusters (largest first, then by kept id) and how many there are."""
    model, column = target_of(target)
    text = QAPair.question if model is QAPair else Question.text
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(
                column,
                QualityResult.flagged,
                QualityResult.score,
                QualityResult.detail,
                text,
            )
            .join(model, model.id == column)
            .where(QualityResult.project_id == project.id, QualityResult.kind == "duplicate")
        ).all()
    grouped: dict[int, list[Member]] = defaultdict(list)
    modes: dict[int, str] = {}
    for item_id, flagged, score, detail, body in rows:
        keep = int(detail.get("keep", item_id))
        modes[keep] = str(detail.get("mode", ""))
        grouped[keep].append(Member(item_id, body[:PREVIEW], not flagged, score))
    # A cluster whose other members were deleted since is no longer one.
    order = sorted(
        (keep for keep, members in grouped.items() if len(members) > 1),
        key=lambda keep: (-len(grouped[keep]), keep),
    )
    page = order[offset : offset + limit]
    views = [
        ClusterView(keep, modes[keep], sorted(grouped[keep], key=lambda m: (not m.keep, m.id)))
        for keep in page
    ]
    return views, len(order)


def count_duplicates(app: App, project_ref: str | int, target: str = "qa") -> tuple[int, int]:
    """How many clusters the last deduplication left, and how many members they mark."""
    _, column = target_of(target)
    keep = QualityResult.detail["keep"].as_integer()
    with app.db.session() as session:
        project = find_project(session, project_ref)
        clusters = (
            select(func.sum(case((QualityResult.flagged.is_(True), 1), else_=0)).label("marked"))
            .where(
                QualityResult.project_id == project.id,
                QualityResult.kind == "duplicate",
                column.is_not(None),
            )
            .group_by(keep)
            .having(func.count() > 1)  # a kept member left alone is no longer a cluster
            .subquery()
        )
        total, marked = session.execute(
            select(func.count(), func.coalesce(func.sum(clusters.c.marked), 0))
        ).one()
    return int(total), int(marked)


def delete_duplicates(app: App, project_ref: str | int, target: str = "qa") -> int:
    """Delete every member the last deduplication marked (never the kept ones); how many."""
    model, column = target_of(target)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        marked = select(column).where(
            QualityResult.project_id == project.id,
            QualityResult.kind == "duplicate",
            QualityResult.flagged.is_(True),
            column.is_not(None),
        )
        deleted = session.execute(
            delete(model).where(model.project_id == project.id, model.id.in_(marked))
        )
        # Every cluster is down to its kept member: none is a duplicate of anything now.
        clear(session, project.id, "duplicate", target)
        return int(deleted.rowcount or 0)  # type: ignore[attr-defined]

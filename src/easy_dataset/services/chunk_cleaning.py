"""The review of chunk cleaning: proposals listed with their diffs, accepted or rejected (one
by one or all at once), and an accepted cleaning undone.

The `chunks.clean` stage (`generation/cleaning_jobs.py`) stores a proposal per chunk; the
chunk itself changes only here, through the chunk-edit path (`chunks.set_chunk_text`), so an
accepted cleaning is stored as a hand edit is. Questions and pairs made from the chunk are
kept. A proposal whose chunk changed since it was made is *stale*: accepting it would
discard that change, so it is refused (and left out of "accept all"); rejecting it is fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from easy_dataset.chunking.text_diff import DiffPiece, DiffStats, pieces, stats, unified
from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.chunks import check_chunk_text, chunk_view, find_chunk, set_chunk_text
from easy_dataset.services.projects import find_project
from easy_dataset.services.views import ChunkView
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Chunk, ChunkRevision, SourceFile

Status = Literal["pending", "accepted", "rejected", "restored"]
Decision = Literal["accepted", "rejected"]


class ProposalView(BaseModel):
    """A proposed cleaning of a chunk: where the chunk is, what became of the proposal, and
    how much it removes."""

    id: int
    chunk_id: int
    file_id: int
    file_name: str
    ordinal: int
    status: Status
    stale: bool = Field(description="The chunk changed since the proposal was made.")
    edited: bool = Field(description="A person changed the proposed text.")
    stats: DiffStats
    provenance: dict[str, Any]
    created_at: datetime
    decided_at: datetime | None


class ProposalDetail(ProposalView):
    """A proposal with both texts, the chunk's text now, and the diff between them."""

    original: str
    proposed: str
    current: str
    diff: str = Field(description="A unified diff of lines, original to proposed.")
    pieces: list[DiffPiece] = Field(description="The texts as kept, removed and added pieces.")


class Skipped(BaseModel):
    chunk_id: int
    reason: str


class CleaningOutcome(BaseModel):
    """What a decision did: the chunks whose proposal it accepted or rejected, and those it
    left alone with why."""

    decision: Decision
    chunk_ids: list[int]
    skipped: list[Skipped] = Field(default_factory=list)


def _rows(project_id: int) -> Select[ChunkRevision, Chunk, str]:
    return (
        select(ChunkRevision, Chunk, SourceFile.name)
        .join(Chunk, Chunk.id == ChunkRevision.chunk_id)
        .join(SourceFile, SourceFile.id == Chunk.file_id)
        .where(ChunkRevision.project_id == project_id)
    )


def _view(revision: ChunkRevision, chunk: Chunk, file_name: str) -> ProposalView:
    return ProposalView(
        id=revision.id,
        chunk_id=chunk.id,
        file_id=chunk.file_id,
        file_name=file_name,
        ordinal=chunk.ordinal,
        status=cast(Status, revision.status),
        stale=revision.status == "pending" and revision.original != chunk.content,
        edited=revision.edited,
        stats=stats(revision.original, revision.proposed),
        provenance=dict(revision.provenance),
        created_at=revision.created_at,
        decided_at=revision.decided_at,
    )


def _detail(revision: ChunkRevision, chunk: Chunk, file_name: str) -> ProposalDetail:
    view = _view(revision, chunk, file_name)
    return ProposalDetail(
        **view.model_dump(),
        original=revision.original,
        proposed=revision.proposed,
        current=chunk.content,
        diff=unified(revision.original, revision.proposed, name=f"chunk {chunk.id}"),
        pieces=pieces(revision.original, revision.proposed),
    )


def _page(
    session: Session, project_id: int, status: Status | None, limit: int, offset: int
) -> tuple[int, list[tuple[ChunkRevision, Chunk, str]]]:
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0")
    query = _rows(project_id)
    if status is not None:
        query = query.where(ChunkRevision.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Chunk.file_id, Chunk.ordinal, ChunkRevision.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [(row[0], row[1], row[2]) for row in rows]


def list_proposals(
    app: App,
    project_ref: str | int,
    *,
    status: Status | None = "pending",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[ProposalView]]:
    """A page of the project's proposals of one status (None: all), in document order,
    and how many there are in all."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        total, rows = _page(session, project.id, status, limit, offset)
        return total, [_view(*row) for row in rows]


def list_proposal_details(
    app: App, project_ref: str | int, *, limit: int = 20, offset: int = 0
) -> tuple[int, list[ProposalDetail]]:
    """A page of the pending proposals with their texts and diffs (the review screen)."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        total, rows = _page(session, project.id, "pending", limit, offset)
        return total, [_detail(*row) for row in rows]


def restorable(app: App, project_ref: str | int, chunk_ids: Sequence[int]) -> set[int]:
    """Which of these chunks have an accepted cleaning that `restore` can undo."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        found = session.scalars(
            select(ChunkRevision.chunk_id).where(
                ChunkRevision.project_id == project.id,
                ChunkRevision.status == "accepted",
                ChunkRevision.chunk_id.in_(set(chunk_ids)),
            )
        )
        return set(found)


def count_pending(app: App, project_ref: str | int) -> int:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        count = session.scalar(
            select(func.count())
            .select_from(ChunkRevision)
            .where(ChunkRevision.project_id == project.id, ChunkRevision.status == "pending")
        )
        return count or 0


def _latest(session: Session, project_id: int, chunk_id: int) -> tuple[ChunkRevision, Chunk, str]:
    """The chunk's pending proposal, else its latest decided one."""
    find_chunk(session, chunk_id, project_id)
    row = session.execute(
        _rows(project_id)
        .where(ChunkRevision.chunk_id == chunk_id)
        .order_by((ChunkRevision.status == "pending").desc(), ChunkRevision.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFoundError(
            f"chunk {chunk_id} has no cleaning proposal; clean it first", subject="cleaning"
        )
    return row[0], row[1], row[2]


def get_proposal(app: App, project_ref: str | int, chunk_id: int) -> ProposalDetail:
    """The chunk's pending proposal with its diff (else the latest one decided)."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return _detail(*_latest(session, project.id, chunk_id))


def edit_proposal(app: App, project_ref: str | int, chunk_id: int, text: str) -> ProposalDetail:
    """Change the text a pending proposal would give its chunk (still pending)."""
    check_chunk_text(text)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        revision, chunk, name = _pending(session, project.id, [chunk_id])[0]
        _take_text(revision, text)
        session.flush()
        return _detail(revision, chunk, name)


def _pending(
    session: Session, project_id: int, chunk_ids: Sequence[int] | None
) -> list[tuple[ChunkRevision, Chunk, str]]:
    """The pending proposals of the chunks named (None: all); NotFoundError naming every
    chunk without one, before anything changes."""
    query = _rows(project_id).where(ChunkRevision.status == "pending")
    if chunk_ids is not None:
        query = query.where(ChunkRevision.chunk_id.in_(set(chunk_ids)))
    rows = [(row[0], row[1], row[2]) for row in session.execute(query.order_by(Chunk.id))]
    if chunk_ids is not None:
        missing = sorted(set(chunk_ids) - {chunk.id for _, chunk, _ in rows})
        if missing:
            raise NotFoundError(
                f"no cleaning proposal waits for chunk(s) {', '.join(map(str, missing))}",
                subject="cleaning",
            )
    return rows


def _take_text(revision: ChunkRevision, text: str | None) -> None:
    if text is not None and text != revision.proposed:
        revision.proposed = text
        revision.edited = True


def decide(
    app: App,
    project_ref: str | int,
    decision: Decision,
    chunk_ids: Sequence[int] | None = None,
    *,
    texts: Mapping[int, str] | None = None,
) -> CleaningOutcome:
    """Accept or reject the pending proposals of the chunks named (None: every pending
    one), in one transaction. `texts` replaces a proposal's text first (a person's edit).
    Accepting gives each chunk its proposed text as a hand edit would; a stale proposal
    named is refused (ConflictError, nothing changes), and left out of "all" with why."""
    texts = texts or {}
    for text in texts.values():
        check_chunk_text(text)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = _pending(session, project.id, chunk_ids)
        outcome = CleaningOutcome(decision=decision, chunk_ids=[])
        stale = [chunk.id for revision, chunk, _ in rows if revision.original != chunk.content]
        if decision == "accepted" and stale and chunk_ids is not None:
            raise ConflictError(
                f"chunk(s) {', '.join(map(str, stale))} changed since their cleaning was "
                "proposed; accepting would discard that change: clean them again or reject "
                "the proposal",
                subject="cleaning_stale",
            )
        now = utcnow()
        for revision, chunk, _ in rows:
            # A person's edit is stored even where the proposal itself is left waiting.
            _take_text(revision, texts.get(chunk.id))
            if decision == "accepted" and chunk.id in stale:
                outcome.skipped.append(
                    Skipped(chunk_id=chunk.id, reason="the chunk changed since the proposal")
                )
                continue
            if decision == "accepted":
                set_chunk_text(chunk, revision.proposed)
            revision.status = decision
            revision.decided_at = now
            outcome.chunk_ids.append(chunk.id)
        return outcome


def restore(app: App, project_ref: str | int, chunk_id: int, *, force: bool = False) -> ChunkView:
    """Put back the text a chunk had before its latest accepted cleaning (again: the one
    before that). A chunk changed since that cleaning is refused unless `force`."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        chunk = find_chunk(session, chunk_id, project.id)
        revision = session.scalars(
            select(ChunkRevision)
            .where(ChunkRevision.chunk_id == chunk_id, ChunkRevision.status == "accepted")
            .order_by(ChunkRevision.decided_at.desc(), ChunkRevision.id.desc())
            .limit(1)
        ).first()
        if revision is None:
            raise NotFoundError(
                f"chunk {chunk_id} has no accepted cleaning to undo", subject="cleaning"
            )
        if chunk.content != revision.proposed and not force:
            raise ConflictError(
                f"chunk {chunk_id} was changed after its cleaning was accepted; restoring "
                "the original would discard that change too (force it to restore anyway)",
                subject="chunk_changed",
            )
        set_chunk_text(chunk, revision.original)
        revision.status = "restored"
        revision.decided_at = utcnow()
        session.flush()
        return chunk_view(chunk)

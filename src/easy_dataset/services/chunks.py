"""Chunks: split files, list and read chunks, and the manual edits (edit, merge, split, delete)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.files import find_file, insert_chunks, read_markdown
from easy_dataset.services.projects import find_project, project_settings
from easy_dataset.services.views import ChunkView, SplitOutcome
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import Chunk, SourceFile
from easy_dataset.types import ChunkSettings

MAX_CHUNK_EDIT = 200_000  # characters of a chunk edited by hand


def chunk_view(row: Chunk) -> ChunkView:
    return ChunkView(
        id=row.id,
        project_id=row.project_id,
        file_id=row.file_id,
        file_name=row.file.name,
        ordinal=row.ordinal,
        heading_path=list(row.heading_path),
        size=row.size,
        content=row.content,
        updated_at=row.updated_at,
    )


def _count_chunks(session: Session, file_id: int) -> int:
    count = session.scalar(select(func.count()).select_from(Chunk).where(Chunk.file_id == file_id))
    return count or 0


def split_files(
    app: App,
    project_ref: str | int,
    *,
    file_ids: list[int] | None = None,
    settings: ChunkSettings | None = None,
    replace: bool = False,
    on_progress: Callable[[SplitOutcome], None] | None = None,
) -> list[SplitOutcome]:
    """Split the project's files (or the ones named) into chunks.

    New `settings` become the project's settings. Files that already have chunks keep them
    unless `replace` is set; naming such a file explicitly without `replace` is an error,
    raised before anything changes.
    """
    with app.db.session() as session:
        project = find_project(session, project_ref)
        if settings is not None:
            project.chunking = settings.model_dump(mode="json")
        effective = project_settings(project)
        if file_ids is None:
            targets = list(
                session.scalars(
                    select(SourceFile.id)
                    .where(SourceFile.project_id == project.id)
                    .order_by(SourceFile.id)
                )
            )
        else:
            targets = [find_file(session, project.id, file_id).id for file_id in file_ids]
            if not replace:
                already = [fid for fid in targets if _count_chunks(session, fid)]
                if already:
                    raise ConflictError(
                        f"file(s) {', '.join(map(str, already))} already have chunks; "
                        "replace them to discard them and split again",
                        subject="chunks_exist",
                    )
        project_id = project.id
    outcomes: list[SplitOutcome] = []
    for file_id in targets:
        # One transaction per file: an interrupted run leaves whole files, never half of one.
        with app.db.session() as session:
            row = session.get_one(SourceFile, file_id)
            existing = _count_chunks(session, file_id)
            if existing and not replace:
                outcome = SplitOutcome(
                    file_id=file_id, file_name=row.name, status="kept", chunk_count=existing
                )
            else:
                session.execute(delete(Chunk).where(Chunk.file_id == file_id))
                count = insert_chunks(
                    session, project_id, file_id, read_markdown(app, row), effective
                )
                row.chunking = effective.model_dump(mode="json")
                outcome = SplitOutcome(
                    file_id=file_id, file_name=row.name, status="split", chunk_count=count
                )
        outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome)
    return outcomes


def list_chunks(
    app: App,
    project_ref: str | int,
    *,
    file_id: int | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[ChunkView]]:
    """A page of the project's chunks in document order, and how many match in all."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(Chunk).where(Chunk.project_id == project.id)
        if file_id is not None:
            find_file(session, project.id, file_id)
            query = query.where(Chunk.file_id == file_id)
        if search:
            # Match the literal text the user typed, not LIKE wildcards inside it.
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Chunk.content.ilike(f"%{escaped}%", escape="\\"))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(Chunk.file_id, Chunk.ordinal).limit(limit).offset(offset)
        ).all()
        return total, [chunk_view(row) for row in rows]


def find_chunk(session: Session, chunk_id: int, project_id: int | None = None) -> Chunk:
    row = session.get(Chunk, chunk_id)
    if row is None or (project_id is not None and row.project_id != project_id):
        raise NotFoundError(f"no chunk {chunk_id}", subject="chunk")
    return row


def _project_id(session: Session, project_ref: str | int | None) -> int | None:
    """The id of the project named, to keep chunk ids within it; None: any project."""
    return None if project_ref is None else find_project(session, project_ref).id


def get_chunk(app: App, chunk_id: int, *, project_ref: str | int | None = None) -> ChunkView:
    with app.db.session() as session:
        return chunk_view(find_chunk(session, chunk_id, _project_id(session, project_ref)))


def _renumber(session: Session, file_id: int) -> None:
    """Make the file's ordinals 0..n-1 again, keeping their order."""
    ids = session.scalars(
        select(Chunk.id).where(Chunk.file_id == file_id).order_by(Chunk.ordinal, Chunk.id)
    ).all()
    for ordinal, chunk_id in enumerate(ids):
        session.execute(update(Chunk).where(Chunk.id == chunk_id).values(ordinal=ordinal))


def _touch(row: Chunk, content: str, now: datetime) -> None:
    row.content = content
    row.size = len(content)
    row.updated_at = now


def check_chunk_text(content: str) -> None:
    """Refuse a text a chunk may not be given: empty, or longer than a hand edit may be."""
    if not content.strip():
        raise InputError("a chunk's text cannot be empty; delete the chunk instead")
    if len(content) > MAX_CHUNK_EDIT:
        raise InputError(
            f"an edited chunk may have at most {MAX_CHUNK_EDIT:,} characters; split it instead"
        )


def set_chunk_text(row: Chunk, content: str) -> None:
    """Give a chunk a new text the way a hand edit does; accepting or undoing a cleaning
    goes through here too, so whatever follows an edit follows them."""
    check_chunk_text(content)
    _touch(row, content, utcnow())


def edit_chunk(
    app: App, chunk_id: int, content: str, *, project_ref: str | int | None = None
) -> ChunkView:
    check_chunk_text(content)  # bad input is refused before anything is looked up
    with app.db.session() as session:
        row = find_chunk(session, chunk_id, _project_id(session, project_ref))
        set_chunk_text(row, content)
        session.flush()
        return chunk_view(row)


def merge_chunks(
    app: App, chunk_ids: list[int], *, project_ref: str | int | None = None
) -> ChunkView:
    """Merge adjacent chunks of one file into the first; the text is joined by a blank line."""
    if len(set(chunk_ids)) < 2:
        raise InputError("name at least two different chunks to merge")
    with app.db.session() as session:
        project_id = _project_id(session, project_ref)
        rows = sorted((find_chunk(session, cid, project_id) for cid in set(chunk_ids)), key=_order)
        if len({row.file_id for row in rows}) > 1:
            raise InputError("only chunks of the same file can be merged")
        ordinals = [row.ordinal for row in rows]
        if ordinals != list(range(ordinals[0], ordinals[0] + len(rows))):
            raise InputError(
                f"chunks {', '.join(str(row.id) for row in rows)} are not adjacent; "
                "merge neighbours only"
            )
        first = rows[0]
        _touch(first, "\n\n".join(row.content.strip("\n") for row in rows), utcnow())
        for row in rows[1:]:
            session.delete(row)
        session.flush()
        _renumber(session, first.file_id)
        session.flush()
        session.refresh(first)
        return chunk_view(first)


def _order(row: Chunk) -> int:
    return row.ordinal


def split_chunk_at(
    app: App, chunk_id: int, offset: int, *, project_ref: str | int | None = None
) -> tuple[ChunkView, ChunkView]:
    """Cut a chunk in two at a character offset; both halves must keep some text."""
    with app.db.session() as session:
        row = find_chunk(session, chunk_id, _project_id(session, project_ref))
        head, tail = row.content[:offset].rstrip(), row.content[offset:].lstrip()
        if not 0 < offset < len(row.content) or not head or not tail:
            raise InputError(
                f"offset {offset} does not cut chunk {chunk_id} into two non-empty parts "
                f"(its text has {len(row.content)} characters)"
            )
        session.execute(
            update(Chunk)
            .where(Chunk.file_id == row.file_id, Chunk.ordinal > row.ordinal)
            .values(ordinal=Chunk.ordinal + 1)
        )
        now = utcnow()
        _touch(row, head, now)
        second = Chunk(
            project_id=row.project_id,
            file_id=row.file_id,
            ordinal=row.ordinal + 1,
            heading_path=list(row.heading_path),
            content=tail,
            size=len(tail),
            created_at=now,
            updated_at=now,
        )
        session.add(second)
        session.flush()
        return chunk_view(row), chunk_view(second)


def delete_chunks(app: App, chunk_ids: list[int], *, project_ref: str | int | None = None) -> int:
    """Delete the chunks named; if any id is unknown nothing is deleted."""
    if not chunk_ids:
        raise InputError("name at least one chunk to delete")
    with app.db.session() as session:
        project_id = _project_id(session, project_ref)
        rows = [find_chunk(session, cid, project_id) for cid in set(chunk_ids)]
        files = {row.file_id for row in rows}
        for row in rows:
            session.delete(row)
        session.flush()
        for file_id in files:
            _renumber(session, file_id)
        return len(rows)

"""Files: add documents to a project (ingest, deduplicate, split), list and remove them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from easy_dataset.chunking import split_text
from easy_dataset.errors import IngestError, InputError, NotFoundError
from easy_dataset.ingest import SUPPORTED_EXTENSIONS, parse_document
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project, project_settings
from easy_dataset.services.views import AddOutcome, FileView
from easy_dataset.store.folders import ProjectFolder
from easy_dataset.store.models import Chunk, SourceFile
from easy_dataset.text_safety import visible_name
from easy_dataset.types import ChunkSettings, ParsedDocument

log = logging.getLogger(__name__)


def file_view(session: Session, row: SourceFile) -> FileView:
    chunk_count = session.scalar(
        select(func.count()).select_from(Chunk).where(Chunk.file_id == row.id)
    )
    return FileView(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        format=row.format,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        content_hash=row.content_hash,
        char_count=row.char_count,
        page_count=row.page_count,
        chunk_count=chunk_count or 0,
        chunking=row.chunking,
        outline=row.outline,
        created_at=row.created_at,
    )


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path, with folders replaced by the supported documents inside them (sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                child
                for child in path.rglob("*")
                if child.is_file() and child.suffix.lower() in SUPPORTED_EXTENSIONS
            )
        else:
            yield path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _find_duplicate(session: Session, project_id: int, column: str, value: str) -> int | None:
    return session.scalar(
        select(SourceFile.id).where(
            SourceFile.project_id == project_id, getattr(SourceFile, column) == value
        )
    )


def insert_chunks(
    session: Session, project_id: int, file_id: int, markdown: str, settings: ChunkSettings
) -> int:
    """Split `markdown` and insert its chunks for the file; returns how many."""
    drafts = split_text(markdown, settings)
    if drafts:
        session.execute(
            insert(Chunk),
            [
                {
                    "project_id": project_id,
                    "file_id": file_id,
                    "ordinal": ordinal,
                    "heading_path": list(draft.heading_path),
                    "content": draft.content,
                    "size": len(draft.content),
                }
                for ordinal, draft in enumerate(drafts)
            ],
        )
    return len(drafts)


def _store(
    app: App,
    project_id: int,
    settings: ChunkSettings | None,
    source: Path,
    sha256: str,
    content_hash: str,
    parsed: ParsedDocument,
    name: str,
) -> FileView:
    """Write the original and its Markdown, then the rows, all or nothing."""
    folder: ProjectFolder = app.folder(project_id)
    original = folder.original(folder.new_name(Path(name).suffix))
    markdown = folder.markdown_file(folder.new_name(".md"))
    try:
        folder.copy_in(source, original)
        folder.write(markdown, parsed.markdown.encode("utf-8"))
        with app.db.session() as session:
            row = SourceFile(
                project_id=project_id,
                name=name,
                stored_name=original.name,
                markdown_name=markdown.name,
                format=parsed.format,
                size_bytes=source.stat().st_size,
                sha256=sha256,
                content_hash=content_hash,
                char_count=len(parsed.markdown),
                page_count=parsed.page_count,
                outline=[node.to_dict() for node in parsed.outline],
                chunking=settings.model_dump(mode="json") if settings else {},
            )
            session.add(row)
            session.flush()
            if settings is not None:
                insert_chunks(session, project_id, row.id, parsed.markdown, settings)
            return file_view(session, row)
    except BaseException:
        folder.remove(original, markdown)
        raise


def _add_one(
    app: App,
    project_id: int,
    settings: ChunkSettings | None,
    path: Path,
    password: str | None,
    name: str | None = None,
) -> AddOutcome:
    """Ingest one file; `name` is what it is called when `path` is a temporary copy."""
    shown = name or str(path)
    name = visible_name(name or path.name) or "unnamed"
    if not path.is_file():
        reason = "no such file" if not path.exists() else "not a regular file"
        return AddOutcome(path=shown, status="failed", error=f"{name}: {reason}")
    max_bytes = app.settings.max_file_bytes
    sha256 = ""
    # Over the limit, parse_document refuses before reading; hashing would read it all.
    if path.stat().st_size <= max_bytes:
        sha256 = _sha256(path)
        with app.db.session() as session:
            duplicate = _find_duplicate(session, project_id, "sha256", sha256)
        if duplicate is not None:
            return AddOutcome(path=shown, status="duplicate", duplicate_of=duplicate)
    try:
        parsed = parse_document(path, display_name=name, password=password, max_bytes=max_bytes)
    except IngestError as exc:
        return AddOutcome(path=shown, status="failed", error=str(exc), error_subject=exc.subject)
    content_hash = hashlib.sha256(parsed.markdown.encode("utf-8")).hexdigest()
    with app.db.session() as session:
        duplicate = _find_duplicate(session, project_id, "content_hash", content_hash)
    if duplicate is not None:
        return AddOutcome(path=shown, status="duplicate", duplicate_of=duplicate)
    try:
        view = _store(app, project_id, settings, path, sha256, content_hash, parsed, name)
    except IntegrityError:
        # Another process stored the same bytes between our check and our insert.
        with app.db.session() as session:
            duplicate = _find_duplicate(session, project_id, "sha256", sha256)
        return AddOutcome(path=shown, status="duplicate", duplicate_of=duplicate)
    log.info("added %s as file %d (%d chunks)", name, view.id, view.chunk_count)
    return AddOutcome(path=shown, status="added", file=view)


def add_files(
    app: App,
    project_ref: str | int,
    paths: Iterable[Path],
    *,
    password: str | None = None,
    split: bool = True,
    on_progress: Callable[[AddOutcome], None] | None = None,
) -> list[AddOutcome]:
    """Ingest each path (folders are searched); one bad file never stops the others."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        project_id, settings = project.id, project_settings(project)
    outcomes: list[AddOutcome] = []
    for path in expand_paths(paths):
        outcome = _add_one(app, project_id, settings if split else None, path, password)
        outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome)
    return outcomes


def add_uploaded(
    app: App,
    project_ref: str | int,
    uploads: Iterable[tuple[Path, str]],
    *,
    password: str | None = None,
    split: bool = True,
) -> list[AddOutcome]:
    """Ingest received files, given as (temporary path, name sent with it) pairs."""
    # The name is only shown and stored, never used as a path; the caller removes the files.
    with app.db.session() as session:
        project = find_project(session, project_ref)
        project_id, settings = project.id, project_settings(project)
    return [
        _add_one(app, project_id, settings if split else None, path, password, name)
        for path, name in uploads
    ]


def files_page(
    app: App, project_ref: str | int, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[FileView]]:
    """A page of the project's files in the order they were added, and how many there are."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be at least 1 and offset at least 0")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        where = SourceFile.project_id == project.id
        total = session.scalar(select(func.count()).select_from(SourceFile).where(where)) or 0
        rows = session.scalars(
            select(SourceFile).where(where).order_by(SourceFile.id).limit(limit).offset(offset)
        ).all()
        return total, [file_view(session, row) for row in rows]


def file_markdown(app: App, project_ref: str | int, file_id: int) -> str:
    """The Markdown a file was converted to."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_file(session, project.id, file_id)
    return read_markdown(app, row)


def list_files(app: App, project_ref: str | int) -> list[FileView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.scalars(
            select(SourceFile).where(SourceFile.project_id == project.id).order_by(SourceFile.id)
        ).all()
        return [file_view(session, row) for row in rows]


def find_file(session: Session, project_id: int, file_id: int) -> SourceFile:
    row = session.get(SourceFile, file_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no file {file_id} in this project", subject="file")
    return row


def get_file(app: App, project_ref: str | int, file_id: int) -> FileView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return file_view(session, find_file(session, project.id, file_id))


def read_markdown(app: App, row: SourceFile) -> str:
    folder = app.folder(row.project_id)
    return folder.markdown_file(row.markdown_name).read_text(encoding="utf-8")


def remove_files(app: App, project_ref: str | int, file_ids: list[int]) -> list[FileView]:
    """Remove files, their chunks and their stored copies; all ids must exist."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [find_file(session, project.id, file_id) for file_id in file_ids]
        views = [file_view(session, row) for row in rows]
        stored = [(row.stored_name, row.markdown_name) for row in rows]
        for row in rows:
            session.delete(row)
    folder = app.folder(project.id)
    for original, markdown in stored:
        folder.remove(folder.original(original), folder.markdown_file(markdown))
    return views

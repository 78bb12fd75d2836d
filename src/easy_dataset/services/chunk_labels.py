"""How every screen names a chunk: its file and its place in the file ("bees.md · #2",
as the chunk list numbers them), never the database id; and the chunks of one file to
pick from."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.models import Chunk, SourceFile

PREVIEW = 60


def label(file_name: str, ordinal: int) -> str:
    """ "bees.md · #2": the file and the 1-based place of the chunk in it."""
    return f"{file_name} · #{ordinal + 1}"


def chunk_labels(
    app: App, project_ref: str | int, chunk_ids: Iterable[int | None]
) -> dict[int, str]:
    """The label of each of these chunks of the project (ids of other projects, deleted
    chunks and None left out)."""
    wanted = {int(i) for i in chunk_ids if i is not None}
    if not wanted:
        return {}
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(Chunk.id, SourceFile.name, Chunk.ordinal)
            .join(SourceFile, SourceFile.id == Chunk.file_id)
            .where(Chunk.project_id == project.id, Chunk.id.in_(wanted))
        )
        return {chunk_id: label(name, ordinal) for chunk_id, name, ordinal in rows}


def chunk_choices(app: App, project_ref: str | int, file_id: int) -> dict[int, str]:
    """The chunks of one file of the project, in order: id -> "#2 · heading or opening"."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(Chunk.id, Chunk.ordinal, Chunk.heading_path, Chunk.content)
            .where(Chunk.project_id == project.id, Chunk.file_id == file_id)
            .order_by(Chunk.ordinal)
        )
        choices: dict[int, str] = {}
        for chunk_id, ordinal, headings, content in rows:
            about = " › ".join(str(h) for h in headings or []) or " ".join(content.split())
            if len(about) > PREVIEW:
                about = about[: PREVIEW - 1] + "…"
            choices[chunk_id] = f"#{ordinal + 1} · {about}" if about else f"#{ordinal + 1}"
        return choices

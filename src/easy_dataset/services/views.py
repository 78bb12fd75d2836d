"""What services return: plain pydantic models, detached from database sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from easy_dataset.types import ChunkSettings, GenerationSettings


class ProjectView(BaseModel):
    id: int
    name: str
    description: str
    chunking: ChunkSettings
    generation: GenerationSettings
    folder: str
    file_count: int
    chunk_count: int
    created_at: datetime


class FileView(BaseModel):
    id: int
    project_id: int
    name: str
    format: str
    size_bytes: int
    sha256: str
    content_hash: str
    char_count: int
    page_count: int | None
    chunk_count: int
    chunking: dict[str, Any]
    outline: list[Any]
    created_at: datetime


class ChunkView(BaseModel):
    id: int
    project_id: int
    file_id: int
    file_name: str
    ordinal: int
    heading_path: list[str]
    size: int
    content: str
    updated_at: datetime


class AddOutcome(BaseModel):
    """What happened to one path of an `add_files` batch."""

    path: str
    status: Literal["added", "duplicate", "failed"]
    file: FileView | None = None
    duplicate_of: int | None = None
    error: str | None = None
    error_subject: str | None = None  # the error's `subject` (too_large, encrypted...)


class SplitOutcome(BaseModel):
    """What happened to one file of a `split_files` run."""

    file_id: int
    file_name: str
    status: Literal["split", "kept"]
    chunk_count: int

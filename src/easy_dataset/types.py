"""The small typed objects that stages pass to one another."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DocumentFormat = Literal["pdf", "docx", "epub", "html", "markdown", "text"]


@dataclass
class OutlineNode:
    """One heading of a document and the headings nested under it."""

    level: int
    title: str
    children: list[OutlineNode] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "title": self.title,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class ParsedDocument:
    """A document turned into Markdown, with what we learned about it on the way."""

    format: DocumentFormat
    markdown: str
    outline: list[OutlineNode]
    page_count: int | None = None


ChunkStrategy = Literal["markdown", "recursive", "fixed", "token", "code", "delimiter"]


class ChunkSettings(BaseModel):
    """How a project splits documents; stored with the project.

    `size` and `overlap` count characters, except for the token strategy where they
    count tokens (cl100k_base, counted offline).
    """

    model_config = ConfigDict(extra="forbid")

    strategy: ChunkStrategy = "markdown"
    min_chars: int = Field(default=1500, ge=0)
    max_chars: int = Field(default=3000, ge=1)
    size: int = Field(default=1500, ge=1)
    overlap: int = Field(default=0, ge=0)
    separators: list[str] | None = None
    delimiter: str = "\n\n"
    language: str | None = None

    @model_validator(mode="after")
    def _check_ranges(self) -> ChunkSettings:
        if self.min_chars > self.max_chars:
            raise ValueError(
                f"min_chars ({self.min_chars}) must not exceed max_chars ({self.max_chars})"
            )
        if self.overlap >= self.size:
            raise ValueError(f"overlap ({self.overlap}) must be smaller than size ({self.size})")
        if self.strategy == "delimiter" and not self.delimiter:
            raise ValueError("the delimiter strategy needs a non-empty delimiter")
        if self.separators is not None and not any(self.separators):
            raise ValueError("separators must contain at least one non-empty string")
        return self


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk as a splitter produced it, before it is stored."""

    content: str
    heading_path: tuple[str, ...]
    start: int
    end: int


class GenerationSettings(BaseModel):
    """How a project generates questions and answers; stored with the project."""

    model_config = ConfigDict(extra="forbid")

    # "auto": each document's language, detected from its text.
    language: Literal["auto", "en", "zh"] = "auto"
    tags_enabled: bool = True
    # A locked tree is never rebuilt or revised by the model; hand edits still apply.
    tags_locked: bool = False
    tag_levels: int = Field(default=2, ge=1, le=4)
    chars_per_question: int = Field(default=240, ge=20)
    min_questions: int = Field(default=1, ge=0)
    max_questions: int = Field(default=10, ge=1)
    # Exactly this many per chunk, overriding the density above.
    exact_questions: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_bounds(self) -> GenerationSettings:
        if self.min_questions > self.max_questions:
            raise ValueError(
                f"min_questions ({self.min_questions}) must not exceed "
                f"max_questions ({self.max_questions})"
            )
        return self

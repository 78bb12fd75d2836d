"""The one shape every exporter reads: a QA pair detached from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """A QA pair as exported: text, review state and where it came from."""

    id: int
    question: str
    answer: str
    cot: str = ""
    # The reviewer's own tags (`user_tags`); the domain tag travels in provenance["tag"].
    tags: list[str] = field(default_factory=list)
    score: float | None = None
    confirmed: bool = False
    # file, chunk, heading_path, persona, tag, model, prompt, job, created
    provenance: dict[str, Any] = field(default_factory=dict)

"""The one shape every exporter reads: a sample detached from the database."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from easy_dataset.types import Message, SampleKind


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """A sample as exported: its turns, review state and where it came from.

    A QA pair's one turn is question / answer / cot, read without building Messages (the
    fast path of a million-row export). A dialogue carries every turn in `messages`;
    its question / answer are then its first question and last answer, as stored.
    """

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
    kind: SampleKind = "qa"
    messages: tuple[Message, ...] = ()

    @property
    def finite_score(self) -> float | None:
        """The score, or None where it is not a number: NaN and infinity are not JSON."""
        score = self.score
        return score if score is not None and math.isfinite(score) else None

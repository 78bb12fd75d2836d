"""Preference pairs: listed with their counts by source, and downloaded as a DPO file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from easy_dataset.evaluate.preferences import DEFAULT_MARGIN, PREFERENCE_SOURCES, PreferenceSource
from easy_dataset.export.options import MAX_PROMPT_TEXT
from easy_dataset.export.preferences import PreferenceFormat
from easy_dataset.server.api.common import MAX_ID, MAX_LIMIT, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.evaluation.preferences import (
    PreferenceFilters,
    PreferenceList,
    list_preferences,
    preferences_text,
)
from easy_dataset.services.projects import get_project

router = APIRouter(prefix="/projects/{project}/preferences", tags=["preferences"])


class PreferenceQuery(BaseModel):
    """Which pairs, as query parameters named like the CLI's options."""

    model_config = ConfigDict(extra="forbid")

    source: list[PreferenceSource] = Field(
        default=[], description="Only pairs from this source (arena, judge, edit); repeated."
    )
    min_margin: float = Field(
        default=DEFAULT_MARGIN,
        ge=0,
        le=5,
        description="Judge pairs: the best draft beats the worst by at least this (0–5).",
    )
    confirmed_only: bool = Field(
        default=False, description="Only pairs a person stands behind (votes, confirmed samples)."
    )

    def filters(self) -> PreferenceFilters:
        sources = [
            name for name in PREFERENCE_SOURCES if name in (self.source or PREFERENCE_SOURCES)
        ]
        return PreferenceFilters(
            sources=sources, min_margin=self.min_margin, confirmed_only=self.confirmed_only
        )


class ListQuery(PreferenceQuery):
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="How many pairs at most.")
    offset: int = Field(default=0, ge=0, le=MAX_ID, description="How many pairs to skip.")


class DownloadQuery(PreferenceQuery):
    format: PreferenceFormat = "trl"
    system: str | None = Field(
        default=None, max_length=MAX_PROMPT_TEXT, description="System prompt for pairs without one."
    )


@router.get("")
def list_pairs(
    project: ProjectRef, query: Annotated[ListQuery, Query()], core: Core
) -> PreferenceList:
    """The pairs (a page) and how many each source gives."""
    return list_preferences(core, project, query.filters(), limit=query.limit, offset=query.offset)


_FILE = {"description": "The pairs as JSON Lines.", "content": {"application/x-ndjson": {}}}


@router.get("/export", response_class=Response, responses={200: _FILE})
def download(project: ProjectRef, query: Annotated[DownloadQuery, Query()], core: Core) -> Response:
    """Download the pairs in TRL's or LLaMA-Factory's format (`X-Pairs`: how many). The
    LLaMA-Factory `dataset_info.json` entry comes with the CLI's or Python's export."""
    text, count = preferences_text(
        core, project, query.format, query.filters(), system=query.system
    )
    name = get_project(core, project).name
    stem = "".join(char if char.isalnum() or char in "-_" else "_" for char in name) or "project"
    return Response(
        text.encode("utf-8"),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="{stem}-{query.format}.jsonl"',
            "X-Pairs": str(count),
        },
    )

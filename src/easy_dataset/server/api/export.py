"""Export as a download: the dataset file streamed from the database, built nowhere."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.export import CotMode, ExportFormat, ExportOptions, FileType, QuestionSlot
from easy_dataset.export.options import MAX_PROMPT_TEXT
from easy_dataset.server.api.common import IdField, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.export import ExportFilters, UnanswerableFilter, export_stream
from easy_dataset.types import SampleKind

router = APIRouter(prefix="/projects/{project}/export", tags=["export"])

MEDIA_TYPES: dict[FileType, str] = {"json": "application/json", "jsonl": "application/x-ndjson"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ExportQuery(BaseModel):
    """The export as query parameters, named like the CLI's options."""

    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = "alpaca"
    file_type: FileType = "jsonl"
    system: str | None = Field(
        default=None, max_length=MAX_PROMPT_TEXT, description="System prompt for every record."
    )
    cot: CotMode | None = Field(default=None, description="think | field | omit.")
    question_as: QuestionSlot = "instruction"
    instruction: str | None = Field(
        default=None, max_length=MAX_PROMPT_TEXT, description="alpaca, question as input."
    )
    field: list[str] = Field(default=[], description="custom: SOURCE=NAME, repeated.")
    provenance: bool = False
    citations: bool = Field(
        default=False, description="Add a citations list ({quote, verified}) to every record."
    )
    kind: list[SampleKind] = Field(
        default=[], description="Only samples of this kind (qa, dialogue); repeated."
    )
    confirmed_only: bool = False
    min_score: float | None = Field(default=None, allow_inf_nan=False)
    tag: list[str] = Field(default=[], description="Only QA pairs with this tag; repeated.")
    id: list[IdField] = Field(default=[], description="Only this QA pair; repeated.")
    min_judge: float | None = Field(default=None, allow_inf_nan=False)
    exclude_flagged: list[str] = Field(
        default=[], max_length=20, description="Leave out pairs this check flagged; repeated."
    )
    unanswerable: UnanswerableFilter = Field(
        default="keep",
        description="Samples answering unanswerable questions: keep, drop or only them.",
    )
    filename: str | None = Field(default=None, max_length=255)


class ExportBody(BaseModel):
    """The export as JSON: the options and filters the export service takes."""

    model_config = ConfigDict(extra="forbid")

    options: ExportOptions = ExportOptions()
    filters: ExportFilters = ExportFilters()
    filename: str | None = Field(default=None, max_length=255)


def _field_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, name = pair.partition("=")
        if not sep or not source.strip() or not name.strip():
            raise InputError(f"field takes SOURCE=NAME (like question=prompt), not {pair!r}")
        mapping[source.strip()] = name.strip()
    return mapping


def _disposition(requested: str | None, project_name: str, options: ExportOptions) -> str:
    """`attachment` with the file name: a plain ASCII one and the exact one (RFC 6266)."""
    default = f"{project_name}-{options.format}.{options.file_type}"
    name = _CONTROL.sub("", PurePosixPath((requested or default).replace("\\", "/")).name)
    plain = _UNSAFE.sub("_", name).strip("._") or f"dataset.{options.file_type}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name or plain)}"


def _download(
    core: Core,
    project: str,
    options: ExportOptions,
    filters: ExportFilters,
    filename: str | None,
) -> StreamingResponse:
    stream = export_stream(core, project, options, filters)  # an unknown project: 404 now
    return StreamingResponse(
        iter(stream),
        media_type=MEDIA_TYPES[options.file_type],
        headers={"Content-Disposition": _disposition(filename, stream.project_name, options)},
    )


_FILE = {"description": "The dataset file.", "content": {t: {} for t in MEDIA_TYPES.values()}}


@router.get("", response_class=StreamingResponse, responses={200: _FILE})
def export_get(
    project: ProjectRef, query: Annotated[ExportQuery, Query()], core: Core
) -> StreamingResponse:
    """Download the project's samples (filters and options as query parameters)."""
    try:
        options = ExportOptions(
            format=query.format,
            file_type=query.file_type,
            system_prompt=query.system,
            cot=query.cot,
            alpaca_question_as=query.question_as,
            alpaca_instruction=query.instruction,
            field_map=_field_map(query.field),
            include_provenance=query.provenance,
            include_citations=query.citations,
        )
        filters = ExportFilters(
            kinds=query.kind,
            confirmed_only=query.confirmed_only,
            min_score=query.min_score,
            tags=query.tag,
            ids=query.id,
            min_judge=query.min_judge,
            exclude_flagged=query.exclude_flagged,
            unanswerable=query.unanswerable,
        )
    except ValidationError as exc:
        raise InputError(validation_reasons(exc)) from None
    return _download(core, project, options, filters, query.filename)


@router.post("", response_class=StreamingResponse, responses={200: _FILE})
def export_post(project: ProjectRef, body: ExportBody, core: Core) -> StreamingResponse:
    """Download the project's samples (options and filters as JSON)."""
    return _download(core, project, body.options, body.filters, body.filename)

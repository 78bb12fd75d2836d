"""Options many stages share (model, cache, concurrency, scopes by id), declared once."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from easy_dataset.jobs.stage import Flag, Picks, StageParams

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_IDS = 100_000


FileIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these files."),
    Picks("file"),
    Flag("--file"),
]
ChunkIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these chunks."),
    Picks("chunk"),
    Flag("--chunk"),
]
QuestionIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these questions."),
    Picks("question"),
    Flag("--question"),
]
QAIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these QA pairs."),
    Picks("qa"),
    Flag("--qa"),
]
TemplateIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these templates."),
    Picks("template"),
    Flag("--template"),
]


class ModelParams(StageParams):
    """Options of every stage that calls a model."""

    model: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Model configuration name (default: the project's).",
        ),
        Flag("--model", "-m"),
    ] = None
    concurrency: int | None = Field(
        default=None, ge=1, le=1024, description="Model calls in flight."
    )
    cache: bool = Field(default=False, description="Reuse stored replies to identical requests.")


TagIds = Annotated[
    list[Id] | None,
    Field(max_length=MAX_IDS, description="Only these tags (each with the tags under it)."),
    Picks("tag"),
    Flag("--tag"),
]

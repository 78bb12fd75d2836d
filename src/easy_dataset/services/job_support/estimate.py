"""What a job that calls a model would cost before it starts: items, model calls, tokens and
time. Every figure is an estimate: the items are planned exactly as the job would plan them
(nothing is created), calls and tokens come from the job type's estimator (the texts' sizes
put into the project's prompt templates; the generation types' are in
`generation.estimate_tokens`), and time from the model's recent latency in the usage log."""

from __future__ import annotations

import math
import statistics
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from easy_dataset.errors import InputError
from easy_dataset.jobs import get_handler
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import load_settings
from easy_dataset.services.job_support.token_registry import TOKEN_ESTIMATORS, EstimateInput
from easy_dataset.services.models import resolve_model
from easy_dataset.store.models import LLMCall

RECENT_CALLS = 50  # the latency is the median of this model's last calls


class Estimate(BaseModel):
    """What a job would do; `seconds` is None when the usage log has no recent call of the
    model to time it by."""

    stage: str
    estimated: Literal[True] = Field(default=True, description="Always true: an estimate.")
    items: int = Field(description="Work items the job would plan (exact).")
    calls: int = Field(description="Model calls, at least (retries come on top).")
    prompt_tokens: int
    completion_tokens: int
    seconds: float | None = Field(description="Wall time; None: unknown (no recent calls).")
    latency_ms: int | None = Field(description="Median latency of the model's recent calls.")
    latency_calls: int = Field(description="How many recent calls the latency rests on.")
    concurrency: int
    model: str
    without_context: int = Field(
        default=0, description="answers: questions with no chunk, answered without context."
    )
    skipped_no_chunk: int = Field(
        default=0,
        description="answers: generated questions whose chunk was deleted; never answered.",
    )

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def recent_latency(app: App, model_config_id: int | None, model: str) -> tuple[int | None, int]:
    """The median latency (ms) of the model's last successful, uncached calls, and how
    many calls that is; (None, 0) when the usage log has none."""
    query = (
        select(LLMCall.latency_ms)
        .where(LLMCall.status == "ok", LLMCall.cached.is_(False), LLMCall.model == model)
        .order_by(LLMCall.id.desc())
        .limit(RECENT_CALLS)
    )
    if model_config_id is not None:
        query = query.where(LLMCall.model_config_id == model_config_id)
    else:
        query = query.where(LLMCall.model_config_id.is_(None))
    with app.db.session() as session:
        found = [int(ms) for ms in session.scalars(query)]
    if not found:
        return None, 0
    return int(statistics.median(found)), len(found)


def estimated_types() -> tuple[str, ...]:
    """The job types an estimate is made for: those that call a model."""
    return tuple(TOKEN_ESTIMATORS)


def estimate_job(app: App, project_id: int, kind: str, params: dict[str, Any]) -> Estimate:
    """The estimate of a job of a type that calls a model, with these options (the same
    options `start_job` takes); nothing is created. The items are what the job's own
    `plan` returns; calls and tokens come from the type's estimator in `TOKEN_ESTIMATORS`;
    the time from the model's recent latency. `params["model"]` names the configuration
    the job would run with (default: the project's)."""
    estimator = TOKEN_ESTIMATORS.get(kind)
    if estimator is None:
        raise InputError(f"estimates are made for {', '.join(estimated_types())}, not {kind!r}")
    resolved = resolve_model(app, project_id, params.get("model"))
    keys = get_handler(kind).plan(app, project_id, params)
    given = EstimateInput(app, project_id, params, load_settings(app, project_id))
    figures = estimator(given, keys)
    concurrency = int(params.get("concurrency") or resolved.config.concurrency)
    latency, timed = recent_latency(app, resolved.model_config_id, resolved.config.model)
    seconds = None
    if latency is not None:
        seconds = (
            0.0 if not figures.calls else math.ceil(figures.calls / concurrency) * latency / 1000
        )
    return Estimate(
        stage=kind,
        items=len(keys),
        calls=figures.calls,
        prompt_tokens=figures.prompt,
        completion_tokens=figures.completion,
        seconds=seconds,
        latency_ms=latency,
        latency_calls=timed,
        concurrency=concurrency,
        model=resolved.config.model,
        without_context=figures.without_context,
        skipped_no_chunk=figures.skipped_no_chunk,
    )

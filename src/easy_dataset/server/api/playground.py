"""The playground: one prompt to up to three models, their replies as server-sent events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from easy_dataset.server.api.common import ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.playground import (
    MAX_MODELS,
    MAX_PROMPT,
    MAX_SYSTEM,
    PlaygroundPlan,
    plan_playground,
    stream_plan,
)

router = APIRouter(tags=["playground"])

ModelName = Annotated[str, Field(min_length=1, max_length=100)]


class PlaygroundBody(BaseModel):
    """One prompt for up to three model configurations of the project."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT)
    system: str | None = Field(default=None, max_length=MAX_SYSTEM)
    models: list[ModelName] = Field(
        min_length=1, max_length=MAX_MODELS, description="Model configuration names, distinct."
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    top_p: float | None = Field(default=None, gt=0, le=1)

    @field_validator("models")
    @classmethod
    def _distinct(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError("a model is named twice; name different models")
        return names


_EVENTS = {
    "description": (
        "Server-sent events, each `data` one JSON object with the model's name: `delta` "
        "(`text`: the next piece of the answer), `reasoning` (a piece of its reasoning), "
        "`done` (`result`: the whole answer, prompt and completion tokens, `usage_estimated`, "
        "`first_token_ms`, `latency_ms`, `tokens_per_second`), `error` (`result.error`, "
        "`result.error_kind`); one `done` or `error` per model, then `end`."
    ),
    "content": {"text/event-stream": {}},
}


@router.post(
    "/projects/{project}/playground", response_class=StreamingResponse, responses={200: _EVENTS}
)
def playground(project: ProjectRef, body: PlaygroundBody, core: Core) -> StreamingResponse:
    """Send one prompt to one to three models at once and stream their answers as they come."""
    # Checked here, before the stream starts: an unknown model is a 404, not an event.
    plan = plan_playground(
        core,
        project,
        body.prompt,
        models=body.models,
        system=body.system,
        temperature=body.temperature,
        max_tokens=body.max_tokens,
        top_p=body.top_p,
    )
    return StreamingResponse(
        _events(core, plan),
        media_type="text/event-stream",
        # Proxies must pass each event on as it comes, not buffer the answer.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(core: App, plan: PlaygroundPlan) -> AsyncIterator[str]:
    async for event in stream_plan(core, plan):
        data: dict[str, object] = {"model": event.model}
        if event.result is not None:
            data["result"] = event.result.model_dump(mode="json")
        else:
            data["text"] = event.text
        yield f"event: {event.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
    yield "event: end\ndata: {}\n\n"

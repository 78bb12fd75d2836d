"""The playground: one prompt to up to three models at once, each reply streamed as it comes.

Every call lands in the usage log like any other, attributed to the project and to the
model configuration that made it. Nothing else is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from easy_dataset.errors import EasyDatasetError, InputError, ModelCallError
from easy_dataset.llm.context import call_scope
from easy_dataset.llm.types import ChatClient, Message, ReasoningDelta, StreamEnd, TextDelta
from easy_dataset.services.app import App
from easy_dataset.services.models import ResolvedModel, open_model, resolve_model
from easy_dataset.services.projects import find_project

_log = logging.getLogger(__name__)

MAX_MODELS = 3
MAX_PROMPT = 100_000  # characters, like a QA pair's texts
MAX_SYSTEM = 10_000  # characters, like an export's system prompt


class PlaygroundResult(BaseModel):
    """One model's whole reply with its usage and timing, or why it failed."""

    model: str  # the model configuration's name
    text: str = ""
    reasoning: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_estimated: bool = False  # the endpoint sent no usage: the tokens are our count
    first_token_ms: int | None = None
    latency_ms: int = 0
    finish_reason: str | None = None
    error: str | None = None
    error_kind: str | None = None  # a ModelCallError kind

    # Completion tokens over the time after the first token: the generation speed.
    tokens_per_second: float | None = None


@dataclass(frozen=True)
class PlaygroundEvent:
    """A piece of one model's reply ("delta", "reasoning"), or its end ("done", "error")."""

    model: str
    kind: Literal["delta", "reasoning", "done", "error"]
    text: str = ""  # the piece, for "delta" and "reasoning"
    result: PlaygroundResult | None = None  # for "done" and "error"


def check_request(
    prompt: str,
    models: Sequence[str],
    system: str | None,
) -> list[str]:
    """The model names to run, in order; InputError when the request is not one to run."""
    if not prompt.strip():
        raise InputError("the prompt is empty; write what the models should answer")
    if len(prompt) > MAX_PROMPT:
        raise InputError(f"the prompt is {len(prompt)} characters; at most {MAX_PROMPT} fit")
    if system is not None and len(system) > MAX_SYSTEM:
        raise InputError(f"the system prompt is {len(system)} characters; at most {MAX_SYSTEM}")
    names = list(models)
    if not names or len(names) > MAX_MODELS:
        raise InputError(f"choose one to {MAX_MODELS} models; got {len(names)}")
    if len(set(names)) != len(names):
        raise InputError("a model is chosen twice; choose different models")
    return names


def playground_messages(prompt: str, system: str | None) -> list[Message]:
    messages: list[Message] = []
    if system and system.strip():
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    return messages


@dataclass(frozen=True)
class PlaygroundPlan:
    """A checked request: the configurations to call and what to send them."""

    project_id: int
    models: list[tuple[str, ResolvedModel]]
    messages: list[Message]
    temperature: float | None
    max_tokens: int | None
    top_p: float | None


def plan_playground(
    app: App,
    project_ref: str | int,
    prompt: str,
    *,
    models: Sequence[str],
    system: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    top_p: float | None = None,
) -> PlaygroundPlan:
    """The request checked and its models found, before any call: InputError for a request
    not to run, NotFoundError for a project or model configuration that does not exist."""
    names = check_request(prompt, models, system)
    if temperature is not None and not 0 <= temperature <= 2:
        raise InputError(f"temperature {temperature} is outside 0 to 2")
    if top_p is not None and not 0 < top_p <= 1:
        raise InputError(f"top_p {top_p} must be above 0 and at most 1")
    if max_tokens is not None and max_tokens < 1:
        raise InputError(f"max tokens {max_tokens} must be at least 1")
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
    return PlaygroundPlan(
        project_id=project_id,
        models=[(name, resolve_model(app, project_id, name)) for name in names],
        messages=playground_messages(prompt, system),
        temperature=temperature,
        max_tokens=max_tokens,
        top_p=top_p,
    )


async def stream_plan(app: App, plan: PlaygroundPlan) -> AsyncIterator[PlaygroundEvent]:
    """The models' replies as they stream in, interleaved, each ending in "done" or "error".
    Closing the iterator early stops every model still answering."""
    events: asyncio.Queue[PlaygroundEvent] = asyncio.Queue()

    async def run(name: str, model: ResolvedModel) -> None:
        client = open_model(app, model)
        try:
            await _stream_one(client, name, plan, events)
        finally:
            await client.aclose()

    with call_scope(project_id=plan.project_id):
        tasks = [asyncio.create_task(run(name, model)) for name, model in plan.models]
    try:
        finished = 0
        while finished < len(tasks):
            event = await events.get()
            finished += event.kind in ("done", "error")
            yield event
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        app.usage_recorder.flush()


async def stream_playground(
    app: App,
    project_ref: str | int,
    prompt: str,
    *,
    models: Sequence[str],
    system: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    top_p: float | None = None,
) -> AsyncIterator[PlaygroundEvent]:
    """`plan_playground` then `stream_plan`: checks first, then the streamed replies."""
    plan = await asyncio.to_thread(
        plan_playground,
        app,
        project_ref,
        prompt,
        models=models,
        system=system,
        temperature=temperature,
        max_tokens=max_tokens,
        top_p=top_p,
    )
    async for event in stream_plan(app, plan):
        yield event


async def run_playground(
    app: App,
    project_ref: str | int,
    prompt: str,
    *,
    models: Sequence[str],
    system: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    top_p: float | None = None,
) -> list[PlaygroundResult]:
    """Each model's whole reply, in the order the models were given."""
    results: dict[str, PlaygroundResult] = {}
    async for event in stream_playground(
        app,
        project_ref,
        prompt,
        models=models,
        system=system,
        temperature=temperature,
        max_tokens=max_tokens,
        top_p=top_p,
    ):
        if event.result is not None:
            results[event.model] = event.result
    return [results[name] for name in models]


async def _stream_one(
    client: ChatClient, name: str, plan: PlaygroundPlan, events: asyncio.Queue[PlaygroundEvent]
) -> None:
    """One model's stream, its events put on the shared queue; its failure ends only it."""
    text: list[str] = []
    try:
        async for event in client.stream_chat(
            plan.messages,
            max_tokens=plan.max_tokens,
            temperature=plan.temperature,
            top_p=plan.top_p,
        ):
            if isinstance(event, TextDelta):
                text.append(event.text)
                events.put_nowait(PlaygroundEvent(name, "delta", event.text))
            elif isinstance(event, ReasoningDelta):
                events.put_nowait(PlaygroundEvent(name, "reasoning", event.text))
            elif isinstance(event, StreamEnd):
                done = event.completion
                result = PlaygroundResult(
                    model=name,
                    text=done.text,
                    reasoning=done.reasoning,
                    prompt_tokens=done.prompt_tokens,
                    completion_tokens=done.completion_tokens,
                    usage_estimated=done.usage_estimated,
                    first_token_ms=event.first_token_ms,
                    latency_ms=done.latency_ms,
                    finish_reason=done.finish_reason,
                    tokens_per_second=_speed(
                        done.completion_tokens, done.latency_ms, event.first_token_ms
                    ),
                )
                events.put_nowait(PlaygroundEvent(name, "done", result=result))
    except EasyDatasetError as exc:
        kind = exc.kind if isinstance(exc, ModelCallError) else "config"
        failed = PlaygroundResult(model=name, text="".join(text), error=str(exc), error_kind=kind)
        events.put_nowait(PlaygroundEvent(name, "error", result=failed))
    except Exception as exc:
        # A bug, not a model's failure: logged, and still this model's end, so that the
        # reader waiting for every model to finish is not left waiting.
        _log.exception("playground call to %s failed", name)
        failed = PlaygroundResult(
            model=name, text="".join(text), error=f"internal error: {exc!r}", error_kind="internal"
        )
        events.put_nowait(PlaygroundEvent(name, "error", result=failed))


def _speed(tokens: int, latency_ms: int, first_token_ms: int | None) -> float | None:
    if first_token_ms is None or latency_ms <= first_token_ms:
        return None
    return round(tokens * 1000 / (latency_ms - first_token_ms), 1)

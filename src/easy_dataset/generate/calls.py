"""Rendering a prompt and calling the model with it, as text or as validated JSON."""

from __future__ import annotations

from typing import Any, TypeVar

from easy_dataset.errors import ModelCallError
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.continuation import chat_text
from easy_dataset.llm.structured import Structured, chat_structured
from easy_dataset.llm.types import ChatClient, Completion
from easy_dataset.prompts import RenderedPrompt, render

T = TypeVar("T")


def prompt(
    name: str, language: str, variables: dict[str, Any], override: str | None = None
) -> RenderedPrompt:
    return render(name, language, variables, override=override)


def provenance(client: ChatClient, rendered: RenderedPrompt, completion: Completion) -> Provenance:
    return Provenance(
        prompt=rendered.name,
        version=rendered.version,
        language=rendered.language,
        # What the server says answered: an alias in the config may resolve to a snapshot.
        model=completion.model or client.config.model,
    )


async def ask_text(client: ChatClient, rendered: RenderedPrompt) -> Completion:
    """A whole free-text reply (one cut off is continued); an empty one is an error (with
    the raw reply) rather than data."""
    completion = await chat_text(client, list(rendered.messages))
    if not completion.text.strip():
        raise ModelCallError(
            "validation",
            f"the model gave an empty reply to the {rendered.name} prompt",
            raw_output=completion.raw,
        )
    return completion


async def ask_json(client: ChatClient, rendered: RenderedPrompt, schema: type[T]) -> Structured[T]:
    return await chat_structured(client, list(rendered.messages), schema)

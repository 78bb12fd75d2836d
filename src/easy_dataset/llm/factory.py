"""One entry point from a model configuration to a ready client."""

from __future__ import annotations

from easy_dataset.llm.cache import ResponseCache
from easy_dataset.llm.limits import limiter_for
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import CallRecorder, ChatClient, ModelConfig


def open_client(
    config: ModelConfig,
    api_key: str | None = None,
    *,
    recorder: CallRecorder | None = None,
    cache: ResponseCache | None = None,
) -> ChatClient:
    """The embedded model for provider "local", else an OpenAI-compatible client whose
    limits are shared with every other client of the same endpoint and model."""
    if config.provider == "local":
        # Imported on demand: only the embedded model needs it and its optional dependency.
        from easy_dataset.llm.local import LocalChatClient

        return LocalChatClient(config, recorder=recorder, cache=cache)
    return OpenAIChatClient(
        config, api_key, recorder=recorder, cache=cache, limiter=limiter_for(config)
    )

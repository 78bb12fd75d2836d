"""Asking an endpoint what it serves, and whether a configuration works at all."""

from __future__ import annotations

import time

import httpx2
import openai
from pydantic import BaseModel

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.breaker import breaker_for
from easy_dataset.llm.limits import limiter_for
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.presets import PRESETS, resolve_base_url
from easy_dataset.llm.redact import redact_error
from easy_dataset.llm.retry import classify, server_detail, status_error
from easy_dataset.llm.transport import http_client_for
from easy_dataset.llm.types import CallRecorder, ModelConfig

PROBE = "Reply with the word OK."
PROBE_MAX_TOKENS = 8
# A connection test should answer quickly: one retry smooths over a blip, no more.
PROBE_MAX_RETRIES = 1


class ConnectionReport(BaseModel):
    """What a connection test found."""

    ok: bool
    latency_ms: int
    models_listed: bool  # the endpoint answered the model list
    model_found: bool | None  # the configured model is in that list (None: no list)
    reply: str | None
    error: str | None
    error_kind: str | None = None  # ModelCallError.kind of the failure


async def list_models(config: ModelConfig, api_key: str | None) -> list[str]:
    """The model names the endpoint offers, sorted; ModelCallError when it will not say."""
    base_url = resolve_base_url(config)
    kind = PRESETS[config.provider].models_api
    if kind == "none":
        raise ModelCallError(
            "not_found", f"provider {config.provider!r} offers no model list; see its docs"
        )
    if kind == "ollama":
        try:
            return await _ollama_tags(config, base_url)
        except ModelCallError as exc:
            raise redact_error(exc, api_key) from None
    sdk = openai.AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "unused",
        timeout=config.timeout,
        max_retries=0,
        default_headers=config.extra_headers,
        http_client=http_client_for(base_url, config),
    )
    try:
        page = await sdk.models.list()
        return sorted({model.id for model in page.data})
    except openai.APIError as exc:
        raise redact_error(classify(exc, config, f"{base_url}/models"), api_key) from None
    finally:
        await sdk.close()


async def _ollama_tags(config: ModelConfig, base_url: str) -> list[str]:
    """Ollama's own list, at /api/tags beside (not under) its OpenAI-compatible /v1."""
    url = base_url.removesuffix("/v1") + "/api/tags"
    async with http_client_for(base_url, config) as http:
        try:
            response = await http.get(url, headers=config.extra_headers)
        except httpx2.TimeoutException:
            raise ModelCallError(
                "timeout", f"no reply from {url} within {config.timeout:g} s"
            ) from None
        except httpx2.HTTPError as exc:
            raise ModelCallError(
                "connection", f"could not reach {url} ({exc}); is Ollama running?"
            ) from None
    if response.status_code >= 400:
        raise status_error(response.status_code, server_detail(response.text), config, url)
    try:
        tags = response.json()["models"]
        return sorted({str(tag["name"]) for tag in tags})
    except (ValueError, KeyError, TypeError):
        raise ModelCallError(
            "http", f"{url} did not answer with Ollama's tag list: {response.text[:200]}"
        ) from None


async def test_connection(
    config: ModelConfig, api_key: str | None, *, recorder: CallRecorder | None = None
) -> ConnectionReport:
    """Lists the endpoint's models (when it can) and sends a tiny chat request."""
    models: list[str] | None
    try:
        models = await list_models(config, api_key)
    except ModelCallError:
        models = None  # many endpoints have no list; the chat below is the real test
    probe = config.model_copy(update={"max_retries": min(config.max_retries, PROBE_MAX_RETRIES)})
    # A test is the user asking whether the endpoint is back: it is always sent.
    breaker_for(config).reset()
    client = OpenAIChatClient(probe, api_key, recorder=recorder, limiter=limiter_for(config))
    started = time.perf_counter()
    try:
        completion = await client.chat(
            [{"role": "user", "content": PROBE}], max_tokens=PROBE_MAX_TOKENS
        )
    except ModelCallError as exc:
        return ConnectionReport(
            ok=False,
            latency_ms=int((time.perf_counter() - started) * 1000),
            models_listed=models is not None,
            model_found=_found(config.model, models),
            reply=None,
            error=str(exc),
            error_kind=exc.kind,
        )
    finally:
        await client.aclose()
    return ConnectionReport(
        ok=True,
        latency_ms=completion.latency_ms,
        models_listed=models is not None,
        model_found=_found(config.model, models),
        reply=completion.text,
        error=None,
    )


def _found(model: str, models: list[str] | None) -> bool | None:
    if models is None:
        return None
    # Ollama lists "llama3:latest" for a model asked for as "llama3".
    return model in models or f"{model}:latest" in models

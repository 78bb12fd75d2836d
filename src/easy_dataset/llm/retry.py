"""Whether a failed call is worth retrying, how long to wait, and what to tell the user."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import openai

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.presets import PRESETS
from easy_dataset.llm.types import ModelConfig

BACKOFF_BASE = 0.5  # seconds before the first retry, at most
BACKOFF_CAP = 30.0  # the longest wait between two attempts, unless Retry-After says more
DETAIL_LIMIT = 300  # characters of the server's error message kept in ours


def backoff_delay(retry: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**retry)]."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0**retry)
    return (rng or random).uniform(0.0, ceiling)


def retry_after(
    headers: Mapping[str, str], now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, or Retry-After in seconds or as
    an HTTP date), or None when it did not say."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def server_detail(body: object) -> str:
    """The server's own error message, shortened, from an error body."""
    if isinstance(body, dict):
        inner: Any = body.get("error", body)
        if isinstance(inner, dict):
            inner = inner.get("message") or inner
        body = inner
    text = body if isinstance(body, str) else "" if body is None else str(body)
    text = " ".join(text.split())
    return text[:DETAIL_LIMIT] + ("…" if len(text) > DETAIL_LIMIT else "")


def status_error(status: int, detail: str, config: ModelConfig, url: str) -> ModelCallError:
    """The error for an HTTP error status, with what to fix in the message."""
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        env = config.api_key_env or PRESETS[config.provider].api_key_env or "NAME"
        return ModelCallError(
            "auth",
            f"{url} refused the API key (HTTP {status}{said}); store the right key with "
            f"model configuration {config.name!r} or set its API key variable (api_key_env, "
            f"e.g. {env}) where the server runs, and check that the key may use model "
            f"{config.model!r}",
            status=status,
        )
    if status == 404:
        if "model" in detail.lower():
            advice = f"the model name {config.model!r} looks wrong; list the models it serves"
        else:
            advice = "the base URL looks wrong (is the path right, e.g. ending in /v1?)"
        return ModelCallError(
            "not_found", f"{url} answered HTTP 404{said}; {advice}", status=status
        )
    if status == 429:
        return ModelCallError(
            "rate_limit",
            f"{url} is rate limiting us (HTTP 429{said}); lower the model configuration's "
            "concurrency or set its requests-per-minute (rpm) limit",
            status=status,
            retryable=True,
        )
    return ModelCallError(
        "http", f"{url} answered HTTP {status}{said}", status=status, retryable=status >= 500
    )


def classify(exc: openai.APIError, config: ModelConfig, url: str) -> ModelCallError:
    """The ModelCallError an SDK exception stands for; `retryable` says whether to try again."""
    if isinstance(exc, openai.APIStatusError):
        return status_error(exc.status_code, server_detail(exc.body), config, url)
    if isinstance(exc, openai.APITimeoutError):
        return ModelCallError(
            "timeout",
            f"no reply from {url} within {config.timeout:g} s; raise the model "
            f"configuration's timeout setting (now {config.timeout:g} s) for slow models, "
            "or lower its concurrency or max tokens",
            retryable=True,
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = f" ({exc.__cause__})" if exc.__cause__ and str(exc.__cause__) else ""
        return ModelCallError(
            "connection",
            f"could not reach {url}{cause}; is the server running and the base URL right?",
            retryable=True,
        )
    return ModelCallError("http", f"{url}: {exc.message}")

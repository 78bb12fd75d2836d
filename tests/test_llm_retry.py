"""Backoff, Retry-After and error classification."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from easy_dataset.llm.retry import backoff_delay, retry_after, server_detail, status_error
from easy_dataset.llm.types import ModelConfig

CONFIG = ModelConfig(name="prod", provider="openai", model="gpt-4o-mini")


def test_backoff_is_full_jitter_under_a_growing_capped_ceiling() -> None:
    rng = random.Random(3)
    for retry, ceiling in [(0, 0.5), (1, 1.0), (3, 4.0), (6, 30.0), (20, 30.0)]:
        delays = [backoff_delay(retry, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole range


def test_retry_after_in_seconds_milliseconds_and_dates() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after": "1.5"}) == 1.5
    assert retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    date = "Wed, 01 Jan 2025 12:00:20 GMT"
    assert retry_after({"retry-after": date}, now=lambda: now) == 20.0
    assert retry_after({"retry-after": "Wed, 01 Jan 2025 11:00:00 GMT"}, now=lambda: now) == 0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None


def test_server_detail_finds_the_message() -> None:
    assert server_detail({"error": {"message": "bad  model\n"}}) == "bad model"
    assert server_detail({"message": "flat"}) == "flat"
    assert server_detail("plain text") == "plain text"
    assert server_detail(None) == ""
    assert server_detail("x" * 1000).endswith("…")


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (401, "auth", False),
        (403, "auth", False),
        (404, "not_found", False),
        (429, "rate_limit", True),
        (400, "http", False),
        (500, "http", True),
        (503, "http", True),
    ],
)
def test_status_kinds(status: int, kind: str, retryable: bool) -> None:
    error = status_error(status, "", CONFIG, "https://api.openai.com/v1")
    assert (error.kind, error.status, error.retryable) == (kind, status, retryable)


def test_messages_say_what_to_fix() -> None:
    auth = status_error(401, "Incorrect API key", CONFIG, "https://api.openai.com/v1")
    assert "model configuration 'prod'" in str(auth) and "OPENAI_API_KEY" in str(auth)
    assert "easy-dataset" not in str(auth)  # shown on web pages too: no CLI command
    model = status_error(404, "The model `gpt-9` does not exist", CONFIG, "u")
    assert "model name 'gpt-4o-mini'" in str(model)
    url = status_error(404, "Not Found", CONFIG, "u")
    assert "base URL" in str(url)

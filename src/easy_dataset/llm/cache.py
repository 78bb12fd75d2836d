"""Reusing replies to identical requests: the key, the store's interface, a memory store."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Protocol

from easy_dataset.llm.types import Completion, Message

# The Completion fields a cache keeps; latency and `cached` describe one call, not the reply.
CACHED_FIELDS = (
    "text",
    "reasoning",
    "prompt_tokens",
    "completion_tokens",
    "usage_estimated",
    "finish_reason",
    "model",
    "raw",
)


class ResponseCache(Protocol):
    """Where replies are kept; `get` returns what `put` stored under the key, or None."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


def request_key(
    base_url: str,
    model: str,
    messages: list[Message],
    params: dict[str, Any],
    response_format: dict[str, Any] | None,
) -> str:
    """sha256 of the request in canonical JSON: same endpoint, model and inputs, same key."""
    payload = {
        "base_url": base_url.rstrip("/"),
        "model": model,
        "messages": messages,
        "params": params,
        "response_format": response_format,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def to_cached(completion: Completion) -> dict[str, Any]:
    """The JSON-ready dict a cache stores for a completion."""
    return {name: getattr(completion, name) for name in CACHED_FIELDS}


def from_cached(value: dict[str, Any]) -> Completion:
    """A completion rebuilt from a cache entry, marked as cached and instantaneous."""
    return Completion(
        text=str(value.get("text") or ""),
        reasoning=value.get("reasoning"),
        prompt_tokens=int(value.get("prompt_tokens") or 0),
        completion_tokens=int(value.get("completion_tokens") or 0),
        usage_estimated=bool(value.get("usage_estimated")),
        finish_reason=value.get("finish_reason"),
        model=str(value.get("model") or ""),
        latency_ms=0,
        raw=str(value.get("raw") or ""),
        cached=True,
    )


class MemoryCache:
    """An in-process cache holding the most recent `capacity` replies."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

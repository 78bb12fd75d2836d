"""Response cache keys and the in-memory cache."""

from __future__ import annotations

from easy_dataset.llm.cache import MemoryCache, from_cached, request_key, to_cached
from easy_dataset.llm.types import Completion

MESSAGES = [{"role": "user", "content": "Hi"}]


def key(**changes: object) -> str:
    args: dict[str, object] = {
        "base_url": "http://x/v1",
        "model": "m",
        "messages": MESSAGES,
        "params": {"temperature": 0.0},
        "response_format": None,
    }
    args.update(changes)
    return request_key(**args)  # type: ignore[arg-type]


def test_key_is_stable_and_sensitive_to_every_input() -> None:
    assert key() == key()
    assert key(params={"temperature": 0.0}) == key()
    assert len(key()) == 64
    assert key(base_url="http://x/v1/") == key()
    variants = [
        key(base_url="http://y/v1"),
        key(model="n"),
        key(messages=[{"role": "user", "content": "Hi!"}]),
        key(params={"temperature": 0.1}),
        key(params={}),
        key(response_format={"type": "json_object"}),
    ]
    assert len({key(), *variants}) == 7


def test_completion_round_trip() -> None:
    completion = Completion("text", "why", 3, 4, True, "stop", "m", 250, "<think>why</think>text")
    restored = from_cached(to_cached(completion))
    assert restored.cached and restored.latency_ms == 0
    assert restored == Completion(
        "text", "why", 3, 4, True, "stop", "m", 0, "<think>why</think>text", cached=True
    )


def test_memory_cache_forgets_the_least_recently_used() -> None:
    cache = MemoryCache(capacity=2)
    cache.put("a", {"text": "1"})
    cache.put("b", {"text": "2"})
    assert cache.get("a") == {"text": "1"}
    cache.put("c", {"text": "3"})
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    assert len(cache) == 2

"""The fake server's scripted replies: per model and prompt text, ahead of the shaped ones."""

from __future__ import annotations

import json
import urllib.request

from tests.fake_openai import FakeOpenAI, Faults


def _ask(fake: FakeOpenAI, model: str, text: str) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    request = urllib.request.Request(
        f"{fake.base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer sk-fake"},
    )
    with urllib.request.urlopen(request) as reply:
        return str(json.load(reply)["choices"][0]["message"]["content"])


def test_replies_are_scripted_per_model_and_prompt() -> None:
    replies = [
        {"model": "a", "contains": "capital", "reply": "B"},
        {"model": "b", "contains": "capital", "reply": "The answer is C."},
        {"contains": "colour", "reply": "blue"},
    ]
    with FakeOpenAI(Faults(replies=replies)) as fake:
        assert _ask(fake, "a", "What is the capital? A) x B) y C) z") == "B"
        assert _ask(fake, "b", "What is the capital? A) x B) y C) z") == "The answer is C."
        assert _ask(fake, "a", "What colour is the sky?") == "blue"
        # Unscripted prompts get the usual replies.
        assert (
            _ask(fake, "b", "Tell me about bees")
            == "Bees are social insects that live in colonies."
        )

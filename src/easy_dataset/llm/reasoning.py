"""Separating a reasoning model's thinking from its answer."""

from __future__ import annotations

import re
from typing import Any

# Closed blocks anywhere, an unclosed block running to the end (a reply cut short), and a
# lone closing tag, which some servers leave when their chat template opened the block.
_BLOCK = re.compile(r"<(think|thinking)>(?P<body>.*?)</\1>", re.DOTALL | re.IGNORECASE)
_UNCLOSED = re.compile(r"<(think|thinking)>(?P<body>.*)\Z", re.DOTALL | re.IGNORECASE)
_LONE_CLOSE = re.compile(r"\A(?P<body>.*?)</(think|thinking)>", re.DOTALL | re.IGNORECASE)
REASONING_FIELDS = ("reasoning_content", "reasoning")


def split_reasoning(content: str) -> tuple[str, str | None]:
    """(answer, reasoning) from content that may hold <think>/<thinking> blocks."""
    if "</think" not in content.lower() and "<think" not in content.lower():
        return content, None
    parts: list[str] = []

    def keep(match: re.Match[str]) -> str:
        parts.append(match.group("body").strip())
        return ""

    text = _LONE_CLOSE.sub(keep, content, count=1) if _starts_without_open(content) else content
    text = _BLOCK.sub(keep, text)
    text = _UNCLOSED.sub(keep, text)
    reasoning = "\n\n".join(p for p in parts if p)
    return text.strip(), reasoning or None


def _starts_without_open(content: str) -> bool:
    lowered = content.lower()
    close = lowered.find("</think")
    opening = lowered.find("<think")
    return close != -1 and (opening == -1 or opening > close)


def strip_reasoning(content: str) -> str:
    """The answer alone."""
    return split_reasoning(content)[0]


def message_reasoning(message: dict[str, Any]) -> str | None:
    """The reasoning some servers send beside the content (DeepSeek, vLLM, OpenRouter)."""
    for name in REASONING_FIELDS:
        value = message.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def combine(*parts: str | None) -> str | None:
    """Reasoning from several places, in order, or None when there is none."""
    joined = "\n\n".join(p for p in parts if p)
    return joined or None

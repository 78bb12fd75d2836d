"""What the fake kinds read from prompts: the <material> block, its sentences, a schema's
$refs. Not a kind itself (it registers nothing)."""

from __future__ import annotations

import re
from typing import Any

MATERIAL = re.compile(r"<material>\s*(.*?)\s*</material>", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def first(pattern: re.Pattern[str], texts: list[str]) -> re.Match[str] | None:
    """The first match of `pattern` in `texts` (latest message first)."""
    return next((found for text in texts if (found := pattern.search(text))), None)


def material(texts: list[str]) -> str:
    """The text of the prompt's <material> block, "" where there is none."""
    found = first(MATERIAL, texts)
    return found.group(1) if found else ""


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its $ref followed within `root`."""
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema

"""Document outlines as the Markdown heading lists the prompts read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

MAX_DEPTH = 3  # deeper headings add tokens, not structure, for a two- or three-level tree
MAX_CHARS = 3000  # per document: a huge table of contents must not crowd out the others


def _lines(nodes: Sequence[Any], depth: int) -> Iterator[str]:
    for node in nodes:
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        title = " ".join(str(node.get("title", "")).split())
        if title:
            yield f"{'#' * depth} {title}"
        yield from _lines(node.get("children") or [], depth + 1)


def outline_text(title: str, outline: Sequence[Any]) -> str:
    """A document's headings as Markdown, renumbered from level 1, with its name on top
    when it has no headings of its own."""
    lines = list(_lines(outline, 1)) or [f"# {title}"]
    text, used = [], 0
    for line in lines:
        used += len(line) + 1
        if used > MAX_CHARS:
            break
        text.append(line)
    return "\n".join(text)

"""The heading tree of a document, from Markdown headings or a PDF's bookmarks."""

from __future__ import annotations

from collections.abc import Iterable

from easy_dataset.markdown_headings import find_headings
from easy_dataset.types import OutlineNode


def outline_from_levels(headings: Iterable[tuple[int, str]]) -> list[OutlineNode]:
    """Nest (level, title) pairs: each heading goes under the nearest shallower one before it."""
    roots: list[OutlineNode] = []
    stack: list[OutlineNode] = []
    for level, title in headings:
        title = " ".join(title.split())
        if not title:
            continue
        node = OutlineNode(level=level, title=title)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def build_outline(markdown: str) -> list[OutlineNode]:
    """The tree of ATX headings in Markdown (headings inside code fences do not count)."""
    return outline_from_levels(
        (heading.level, heading.title) for heading in find_headings(markdown)
    )

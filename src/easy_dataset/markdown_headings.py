"""Find ATX headings in Markdown (outside fenced code) and answer "which section is this in"."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A fence opens with three or more backticks or tildes, indented at most three spaces.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)")


@dataclass(frozen=True)
class Heading:
    """One ATX heading: its level (1-6), plain title and character offset of its line."""

    level: int
    title: str
    start: int


def _clean_title(raw: str) -> str:
    return _EMPHASIS.sub("", raw).strip()


def _fenced_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges covered by fenced code blocks (an unclosed fence runs to the end)."""
    ranges: list[tuple[int, int]] = []
    open_at: int | None = None
    marker = ""
    for match in _FENCE.finditer(text):
        fence = match.group(1)
        if open_at is None:
            open_at, marker = match.start(), fence
        elif fence[0] == marker[0] and len(fence) >= len(marker):
            line_end = text.find("\n", match.end())
            ranges.append((open_at, len(text) if line_end < 0 else line_end))
            open_at = None
    if open_at is not None:
        ranges.append((open_at, len(text)))
    return ranges


def find_headings(text: str) -> list[Heading]:
    """All ATX headings in document order, skipping lines inside fenced code blocks."""
    fences = _fenced_ranges(text)
    fence_starts = [start for start, _ in fences]
    headings: list[Heading] = []
    for match in _HEADING.finditer(text):
        at = match.start()
        index = bisect.bisect_right(fence_starts, at) - 1
        if index >= 0 and at < fences[index][1]:
            continue
        title = _clean_title(match.group(2))
        if title:
            headings.append(Heading(len(match.group(1)), title, at))
    return headings


class HeadingIndex:
    """Answers the heading path ("Guide", "Install", "Linux") in force at any offset."""

    def __init__(self, headings: list[Heading]) -> None:
        self._starts = [heading.start for heading in headings]
        self._paths: list[tuple[str, ...]] = []
        stack: list[Heading] = []
        for heading in headings:
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
            self._paths.append(tuple(item.title for item in stack))

    @classmethod
    def of(cls, text: str) -> HeadingIndex:
        return cls(find_headings(text))

    def path_at(self, offset: int) -> tuple[str, ...]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return self._paths[index] if index >= 0 else ()

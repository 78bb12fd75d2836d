"""Small normalisations every converted document gets."""

from __future__ import annotations

import re

_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n{3,}")


def normalise_newlines(text: str) -> str:
    """Windows and old-Mac line ends become \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def tidy_markdown(markdown: str) -> str:
    """Unified newlines, no trailing spaces, no runs of blank lines, no blank ends."""
    markdown = _TRAILING_SPACE.sub("", normalise_newlines(markdown))
    return _BLANK_RUN.sub("\n\n", markdown).strip("\n")

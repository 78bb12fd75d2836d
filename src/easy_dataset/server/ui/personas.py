"""The personas screen (being written)."""

from __future__ import annotations


def register() -> None:
    """Declare the page; nothing yet."""

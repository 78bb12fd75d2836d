"""Strings of the tags, personas and questions screens."""

GENERATION_STRINGS: dict[str, tuple[str, str]] = {}

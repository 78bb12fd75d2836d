"""Strings of the QA review, export and usage screens."""

REVIEW_STRINGS: dict[str, tuple[str, str]] = {}

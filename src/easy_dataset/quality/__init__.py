"""Data-quality checks on generated QA pairs: pure functions over plain text."""

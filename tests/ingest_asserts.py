"""Assertions shared by the ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.errors import IngestError
from easy_dataset.ingest import parse_document
from easy_dataset.types import OutlineNode


def shape(nodes: list[OutlineNode]) -> list[object]:
    """An outline as nested (level, title, children) tuples, easy to compare."""
    return [(node.level, node.title, shape(node.children)) for node in nodes]


def expect_error(path: Path, *fragments: str, **kwargs: object) -> IngestError:
    """parse_document refuses `path` with a one-line reason naming it and holding `fragments`."""
    with pytest.raises(IngestError) as caught:
        parse_document(path, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.filename == path.name
    assert str(error).startswith(f"{path.name}: ")
    assert "\n" not in error.reason
    for fragment in fragments:
        assert fragment in error.reason
    return error

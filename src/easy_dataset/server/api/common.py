"""What the routers share: project and id path parameters, and the paged list answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, Field

T = TypeVar("T")

# Ids beyond SQLite's 64-bit integers would fail inside the database, not as bad input.
MAX_ID = 2**63 - 1
MAX_LIMIT = 500

ProjectRef = Annotated[
    str, Path(min_length=1, max_length=200, description="The project's id or name.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many items at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many items to skip.")]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(BaseModel, Generic[T]):
    """One page of a list: its items and how many there are in all."""

    items: list[T]
    total: int


class CursorPage(BaseModel, Generic[T]):
    """One page of a list that may hold millions: `total` only when asked for
    (`with_total=true`; counting a million rows costs more than the page), and `next_after`
    to pass as `after` for the next page at the cost of the first (null: last page)."""

    items: list[T]
    total: int | None
    next_after: int | None


WithTotal = Annotated[bool, Query(description="Count every match (slower on very large projects).")]
After = Annotated[
    int | None,
    Query(ge=0, le=MAX_ID, description="The last id of the previous page (instead of offset)."),
]


def page_of(items: Sequence[T], limit: int, offset: int) -> Page[T]:
    """A page cut from a list a service returns whole (small lists only)."""
    return Page[T](items=list(items[offset : offset + limit]), total=len(items))

"""Query pieces every database answers differently, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, func, select


def json_array_has_any(
    column: Any, values: list[str], dialect: str, *, casefold: bool = False
) -> ColumnElement[bool]:
    """Whether the JSON array in `column` holds one of `values`, searched by the database
    itself so that filtering never loads rows."""
    if dialect == "postgresql":
        items = func.json_array_elements_text(column).table_valued("value")
    else:
        items = func.json_each(column).table_valued("value")
    if casefold:
        lowered = [value.lower() for value in values]
        return exists(select(1).select_from(items).where(func.lower(items.c.value).in_(lowered)))
    return exists(select(1).select_from(items).where(items.c.value.in_(values)))


def json_flag(column: Any, key: str) -> ColumnElement[bool]:
    """Whether the JSON object in `column` holds `key: true` (false where the key is missing
    or not true), read by the database itself."""
    flag: ColumnElement[bool] = column[key].as_boolean().is_(True)
    return flag

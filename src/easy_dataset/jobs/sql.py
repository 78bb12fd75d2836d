"""SQL helpers for the job tables: guarded UPDATEs, and lean statements for the hot path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Dialect, TextClause, Update, text
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def changed_rows(session: Session, statement: Update) -> int:
    """Run an UPDATE (without syncing loaded objects) and say how many rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # positional parameter order; None: the driver takes names
    processors: dict[str, Callable[[Any], Any]]


class LeanStatement:
    """A fixed statement run straight on the DBAPI cursor of a session's connection."""

    # Every item of every job runs a few of these; through SQLAlchemy's execution layer each
    # costs about 0.1 ms of CPU, directly a few microseconds. SQLAlchemy still compiles it
    # (once per dialect, for the paramstyle) and converts typed parameters: it stays portable.

    def __init__(self, sql: str, **types: TypeEngine[Any]) -> None:
        self._clause: TextClause = text(sql)
        self._types = types
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = f"{dialect.name}:{dialect.paramstyle}"
        compiled = self._compiled.get(key)
        if compiled is None:
            form = self._clause.compile(dialect=dialect)
            processors: dict[str, Callable[[Any], Any]] = {}
            for name, type_ in self._types.items():
                processor = type_.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    processors[name] = processor
            names = tuple(form.positiontup) if form.positional and form.positiontup else None
            compiled = self._compiled[key] = _Compiled(form.string, names, processors)
        return compiled

    def run(self, session: Session, params: Mapping[str, Any]) -> DBAPICursor:
        """Execute in the session's transaction; the caller reads and closes the cursor."""
        connection = session.connection()
        compiled = self._for(connection.dialect)
        values = dict(params)
        for name, processor in compiled.processors.items():
            values[name] = processor(values[name])
        cursor = connection.connection.cursor()
        if compiled.names is None:
            cursor.execute(compiled.sql, values)
        else:
            cursor.execute(compiled.sql, tuple(values[name] for name in compiled.names))
        return cursor

    def rowcount(self, session: Session, params: Mapping[str, Any]) -> int:
        cursor = self.run(session, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def one(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...]:
        cursor = self.run(session, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            raise LookupError("the statement returned no row")
        return tuple(row)

"""Who a model call is made for (project, job, model config), carried by a context variable.

The job runner and services set it; clients read it when they write a usage record, so no
call site has to thread these ids through every function.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class CallScope:
    project_id: int | None = None
    job_id: int | None = None
    model_config_id: int | None = None


_EMPTY = CallScope()
_scope: ContextVar[CallScope | None] = ContextVar("easy_dataset_call_scope", default=None)


def current_scope() -> CallScope:
    return _scope.get() or _EMPTY


@contextmanager
def call_scope(**ids: int | None) -> Iterator[CallScope]:
    """Within the block (and tasks started in it), calls are attributed to these ids."""
    scope = replace(current_scope(), **ids)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)

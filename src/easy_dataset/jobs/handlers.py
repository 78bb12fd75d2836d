"""What a job type does (plan, process, commit) and the registry that finds it by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, NotFoundError
from easy_dataset.jobs.env import JobEnv
from easy_dataset.store.models import Job, JobItem

# What a handler's hooks are given as `app`: the runner needs only a `JobEnv`; a handler
# names the richer context it was written for (the services' handlers take their `App`).
AppT = TypeVar("AppT", bound=JobEnv)


@dataclass
class JobContext(Generic[AppT]):
    """One run of one job, handed to every hook; `state` is the handler's own scratch space."""

    app: AppT
    job_id: int
    project_id: int | None
    params: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)


class JobHandler(ABC, Generic[AppT]):
    """A job type: splits the work into keyed items, then does and records one item at a time."""

    type: ClassVar[str]

    @abstractmethod
    def plan(self, app: AppT, project_id: int | None, params: dict[str, Any]) -> list[str]:
        """The item keys (unique, at most 200 characters) this job will process."""

    async def setup(self, ctx: JobContext[AppT]) -> None:
        """Prepare shared resources (a model client...) once per run."""

    async def teardown(self, ctx: JobContext[AppT]) -> None:
        """Release what `setup` opened; called even when the run stops early."""

    @abstractmethod
    async def process(self, ctx: JobContext[AppT], key: str) -> dict[str, Any]:
        """Do one item and return its JSON-able result; raise to record a failure."""
        # Runs concurrently with other items (up to the job's concurrency) in one event loop;
        # it may be cancelled when the job is, and the item then stays pending.

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        """Write the item's domain rows inside the transaction that marks it succeeded."""
        # `job` and `item` are read-only snapshots (the job as the run found it, the item as
        # just updated), not rows of `session`; add new rows to the session, and raise to
        # turn the item into a failure with nothing of it kept.

    @classmethod
    def has_commit(cls) -> bool:
        """Whether the handler writes rows of its own (else no item row is built for it)."""
        return cls.commit is not JobHandler.commit


# Handlers of every context live here side by side: the runner hands each the context it
# was started with, and a job type's handler is registered by the layer that runs it.
_REGISTRY: dict[str, type[JobHandler[Any]]] = {}

H = TypeVar("H", bound=type[JobHandler[Any]])


def register(handler_cls: H) -> H:
    """Make a handler class available under its `type`; usable as a class decorator."""
    known = _REGISTRY.get(handler_cls.type)
    if known is not None and known is not handler_cls:
        raise ConflictError(
            f"job type {handler_cls.type!r} is already handled by {known.__qualname__}"
        )
    _REGISTRY[handler_cls.type] = handler_cls
    return handler_cls


def unregister(job_type: str) -> None:
    """Forget a job type (a stage registered only for a while)."""
    _REGISTRY.pop(job_type, None)


def get_handler(job_type: str) -> JobHandler[Any]:
    """A fresh handler instance for `job_type`."""
    handler_cls = _REGISTRY.get(job_type)
    if handler_cls is None:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise NotFoundError(f"no handler for job type {job_type!r} (registered: {known})")
    return handler_cls()


def registered_types() -> list[str]:
    return sorted(_REGISTRY)

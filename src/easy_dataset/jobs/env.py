"""What the job machinery needs from the application that runs it."""

from __future__ import annotations

from typing import Protocol

from easy_dataset.store.db import Database


class JobEnv(Protocol):
    """The database that holds the jobs and their items; the services' `App` is one."""

    @property
    def db(self) -> Database: ...

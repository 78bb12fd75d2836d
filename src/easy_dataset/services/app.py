"""The application context: settings plus an open database, handed to every service."""

from __future__ import annotations

from functools import cached_property

from easy_dataset.config import DATABASE_FILE, Settings
from easy_dataset.services.call_log import DatabaseRecorder
from easy_dataset.store.db import Database
from easy_dataset.store.folders import ProjectFolder
from easy_dataset.store.private import private_folder


class App:
    """Settings and the database they point to, opened (and migrated) once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # A data home that holds our database is ours alone: an older, world-readable one
        # is tightened too.
        private_folder(settings.home, tighten=(settings.home / DATABASE_FILE).exists())
        self.db = Database(settings.database_url)

    def folder(self, project_id: int) -> ProjectFolder:
        return ProjectFolder(self.settings.home, project_id)

    @cached_property
    def usage_recorder(self) -> DatabaseRecorder:
        """Where every model call made through this app is logged (`llm_calls`)."""
        return DatabaseRecorder(self)

    def close(self) -> None:
        if "usage_recorder" in self.__dict__:
            self.usage_recorder.flush()
        self.db.close()

"""A database migrated once per test process, copied into each test's data home.

A database already at the head revision is opened without running the migrations
(store/db.py), so a test that starts from a copy skips them; tests/test_migrations.py and
the tests that check a new home (tests/test_store_private.py) still run them for real.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from easy_dataset.config import DATABASE_FILE, Settings
from easy_dataset.services import App
from easy_dataset.store.private import FILE_MODE, FOLDER_MODE


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="easy-dataset-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # Closing the last connection checkpoints the WAL: the file alone holds everything.
    App(Settings.load(home=folder)).close()
    return folder / DATABASE_FILE


def seeded_home(home: Path) -> Path:
    """`home` holding a copy of the migrated database, unless it has a database already."""
    database = home / DATABASE_FILE
    if not database.exists():
        home.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        shutil.copyfile(_template(), database)
        database.chmod(FILE_MODE)
    return home

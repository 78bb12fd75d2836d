"""The data home and the SQLite database (with its WAL) are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from easy_dataset.config import Settings
from easy_dataset.services import App, projects


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask() -> Iterator[None]:
    """The usual umask, which on its own leaves files 644 and folders 755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_home_and_database_are_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    app = App(Settings.load(home=home))
    try:
        projects.create_project(app, "p")  # a write, so the WAL and shared memory exist
        database = home / "easy-dataset.db"
        companions = [home / "easy-dataset.db-wal", home / "easy-dataset.db-shm"]
        assert all(path.exists() for path in companions)
        assert mode(home) == 0o700
        assert mode(database) == 0o600
        assert [mode(path) for path in companions] == [0o600, 0o600]
    finally:
        app.close()


def test_an_older_world_readable_home_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    App(Settings.load(home=home)).close()
    home.chmod(0o755)
    (home / "easy-dataset.db").chmod(0o644)
    App(Settings.load(home=home)).close()
    assert mode(home) == 0o700 and mode(home / "easy-dataset.db") == 0o600


def test_a_database_elsewhere_leaves_its_existing_folder_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    url = f"sqlite:///{shared / 'data.db'}"
    App(Settings.load(home=tmp_path / "home", database_url=url)).close()
    assert mode(shared) == 0o755  # the user's own folder: not ours to change
    assert mode(shared / "data.db") == 0o600
